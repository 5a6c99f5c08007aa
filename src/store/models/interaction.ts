import { Schema, type Connection, type Model } from 'mongoose';
import type { InteractionRecord } from '../../interactions/interaction-record.js';

const schema = new Schema<InteractionRecord>(
  {
    _id: { type: String, required: true },
    tenantId: { type: String, required: true },
    browserHash: { type: String, required: true },
    clientId: { type: String, required: true },
    prompt: { type: String, required: true },
    state: { type: String, required: true },
    request: { type: String, required: true },
    details: { type: String, default: '{}' },
    result: { type: String, default: '{}' },
    returnTo: { type: String, required: true },
    flash: { type: String, default: null },
    createdAt: { type: Date, required: true },
    expiresAt: { type: Date, required: true },
  },
  { versionKey: false },
);
schema.index({ tenantId: 1, _id: 1 });
schema.index({ tenantId: 1, expiresAt: 1 });

export const interactionModel = (conn: Connection): Model<InteractionRecord> =>
  conn.models.Interaction ?? conn.model<InteractionRecord>('Interaction', schema, 'interactions');
