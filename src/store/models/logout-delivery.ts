import { Schema, type Connection, type Model } from 'mongoose';

export type LogoutDeliveryStatus = 'PENDING' | 'DELIVERED' | 'FAILED';

/**
 * One back-channel logout token on its way to one client (oidc/end-session/back-channel.ts).
 * The retry schedule lives here, not in a timer, so a restart or a crash does not drop
 * it; any replica's poller picks up due rows, each claimed atomically (`lockedUntil`) so
 * exactly one replica sends each attempt.
 */
export interface LogoutDeliveryRecord {
  _id: string;
  tenantId: string;
  clientId: string;
  uri: string;
  /** The signed logout token (short-lived: past `expiresAt` it is given up). */
  token: string;
  status: LogoutDeliveryStatus;
  attempts: number;
  nextAttemptAt: Date | null;
  /** A worker holds the row until then (epoch 0 when free). */
  lockedUntil: Date;
  lastStatus: number | null;
  createdAt: Date;
  updatedAt: Date;
  expiresAt: Date;
}

const schema = new Schema<LogoutDeliveryRecord>(
  {
    _id: { type: String, required: true },
    tenantId: { type: String, required: true },
    clientId: { type: String, required: true },
    uri: { type: String, required: true },
    token: { type: String, required: true },
    status: { type: String, required: true },
    attempts: { type: Number, default: 0 },
    nextAttemptAt: { type: Date, default: null },
    lockedUntil: { type: Date, required: true },
    lastStatus: { type: Number, default: null },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
    expiresAt: { type: Date, required: true },
  },
  { versionKey: false },
);
schema.index({ status: 1, nextAttemptAt: 1 });
schema.index({ tenantId: 1, expiresAt: 1 });

export const logoutDeliveryModel = (conn: Connection): Model<LogoutDeliveryRecord> =>
  conn.models.LogoutDelivery ?? conn.model<LogoutDeliveryRecord>('LogoutDelivery', schema, 'logout_deliveries');
