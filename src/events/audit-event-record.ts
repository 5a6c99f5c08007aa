/** PENDING: recorded before the change was made, and never completed (the process stopped): the change may or may not have happened. */
export type AuditOutcome = 'SUCCESS' | 'FAILURE' | 'PENDING';

/**
 * One admin operation: who did what to which tenant, when, and what changed. A platform
 * record, not a tenant-owned one: the trail must outlive the tenant it describes
 * (deleting a tenant cascades over every model with a `tenantId`), so the tenant is
 * referenced as `tenantRef`. Values are JSON strings of non-secret fields only.
 */
export interface AuditEventRecord {
  /** Time-ordered (see store/repos/audit-events.ts): sorting by _id sorts by time. */
  _id: string;
  at: Date;
  /** The admin client that called, or `gatehouse` for the provider's own jobs. */
  actorClientId: string;
  actorPlatform: boolean;
  /** The tenant's id (null for operations on no tenant). */
  tenantRef: string | null;
  /** The tenant's slug at the time. */
  tenantSlug: string | null;
  /** The GraphQL mutation (or job) name. */
  operation: string;
  targetType: string | null;
  targetId: string | null;
  outcome: AuditOutcome;
  /** extensions.code of the error, for failures. */
  errorCode: string | null;
  /** JSON of the operation's arguments with secrets removed. */
  arguments: string;
  /** JSON snapshots of the target before and after (non-secret fields only). */
  before: string | null;
  after: string | null;
}
