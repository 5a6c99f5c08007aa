import { Schema, type Connection, type Model } from 'mongoose';

export type InteractionPrompt = 'login' | 'consent' | 'select_account';

/**
 * A pending authorization request waiting for the browser to finish a page (login,
 * consent, account selection). The authorization endpoint writes it, the interaction
 * pages record their result on it, and the endpoint's resume step reads the result.
 */
export interface InteractionRecord {
  /** Random, appears in the page URL. */
  _id: string;
  tenantId: string;
  /** Hash of the cookie value that binds the interaction to the browser that started it. */
  browserHash: string;
  clientId: string;
  /** Which page the browser must complete now. */
  prompt: InteractionPrompt;
  /** `pending` while the page is open; `completed` when its result awaits the resume step. */
  state: 'pending' | 'completed' | 'resuming';
  /** The validated authorization request, JSON (owned by the authorization endpoint). */
  request: string;
  /** What the pages show (JSON, see interaction/details.ts). */
  details: string;
  /** Accumulated results of the pages (JSON, see interaction/details.ts). */
  result: string;
  /** Where the browser goes once the page is done. */
  returnTo: string;
  /** A one-shot message for the next rendering of the page (e.g. failed login). */
  flash?: string | null;
  createdAt: Date;
  expiresAt: Date;
}

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
