/**
 * A pushed authorization request (RFC 9126), stored by the hash of its request_uri
 * (`_id`). Single use: the authorization endpoint takes it in one atomic update that
 * only matches while `usedAt` is null, for its own client, before `expiresAt`. A sealed
 * request_uri (pushed-requests/index.ts) is stored only once used: then a record with
 * `usedAt` set and no parameters (`params` '[]'), inserted once.
 */
export interface PushedRequestRecord {
  _id: string;
  tenantId: string;
  clientId: string;
  /**
   * The validated parameters as JSON of `[name, value][]`: parameter names come from the
   * request, and FerretDB refuses field names with `.` or `$` (docs/architecture.md).
   */
  params: string;
  /** Every `resource` value (RFC 8707), the one parameter that may repeat. */
  resources: string[];
  /** Whether the parameters came from a signed request object (require_signed_request_object). */
  signed: boolean;
  createdAt: Date;
  expiresAt: Date;
  usedAt: Date | null;
}
