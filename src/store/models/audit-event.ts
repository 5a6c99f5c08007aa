import { Schema, type Connection, type Model } from 'mongoose';
import type { AuditEventRecord } from '../../events/audit-event-record.js';

const schema = new Schema<AuditEventRecord>(
  {
    _id: { type: String, required: true },
    at: { type: Date, required: true },
    actorClientId: { type: String, required: true },
    actorPlatform: { type: Boolean, required: true },
    tenantRef: { type: String, default: null },
    tenantSlug: { type: String, default: null },
    operation: { type: String, required: true },
    targetType: { type: String, default: null },
    targetId: { type: String, default: null },
    outcome: { type: String, required: true },
    errorCode: { type: String, default: null },
    arguments: { type: String, default: '{}' },
    before: { type: String, default: null },
    after: { type: String, default: null },
  },
  { versionKey: false },
);
schema.index({ tenantRef: 1, _id: -1 });
schema.index({ operation: 1, _id: -1 });

export const auditEventModel = (conn: Connection): Model<AuditEventRecord> =>
  conn.models.AuditEvent ?? conn.model<AuditEventRecord>('AuditEvent', schema, 'audit_events');
