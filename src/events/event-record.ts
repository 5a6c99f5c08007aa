/**
 * Something that happened in a tenant (a login, a consent, a token, a key rotation …),
 * kept for the tenant's event log and delivered to its event webhooks. Details that
 * carry user-supplied names (claim names, URLs) stay inside the JSON `data`.
 */
export interface EventRecord {
  /** Time-ordered (store/ids.ts): sorting by _id sorts by time. */
  _id: string;
  tenantId: string;
  type: string;
  at: Date;
  userId: string | null;
  clientId: string | null;
  /** JSON object with the event's details. */
  data: string;
  /** Past this the event is gone from queries and swept (config/defaults.ts eventDefaults). */
  expiresAt: Date;
}
