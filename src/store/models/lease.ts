import { Schema, type Connection, type Model } from 'mongoose';

/**
 * A named, expiring lock shared by every replica (e.g. "only one replica runs the key
 * rotation job"). Taken and renewed by one atomic findOneAndUpdate; expiry is in the
 * query, so a crashed holder's lease simply lapses (no TTL index needed).
 */
export interface LeaseRecord {
  /** The lease name. */
  _id: string;
  holder: string;
  expiresAt: Date;
  acquiredAt: Date;
}

const schema = new Schema<LeaseRecord>(
  {
    _id: { type: String, required: true },
    holder: { type: String, required: true },
    expiresAt: { type: Date, required: true },
    acquiredAt: { type: Date, required: true },
  },
  { versionKey: false },
);

export const leaseModel = (conn: Connection): Model<LeaseRecord> => conn.models.Lease ?? conn.model<LeaseRecord>('Lease', schema, 'leases');
