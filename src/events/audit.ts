import type { SigningKeyRecord } from '../keys/key-record.js';
import { timeOrderedId } from '../store/ids.js';
import type { AuditEventRecord, AuditOutcome } from './audit-event-record.js';
import type { ClientRecord } from '../clients/client-record.js';
import type { InitialAccessTokenRecord } from '../clients/initial-access-token-record.js';
import type { TenantRecord } from '../tenancy/tenant-record.js';
import type { UserRecord } from '../users/user-record.js';
import { pickMetadata } from '../clients/clients.js';
import type { OutboxItem } from './outbox.js';
import type { Runtime } from '../runtime.js';
import type { Clock } from '../time/clock.js';

export interface AuditEntry {
  actor: { clientId: string; platform: boolean };
  tenant: { id: string | null; slug: string } | null;
  operation: string;
  targetType?: string | null;
  targetId?: string | null;
  outcome: AuditOutcome;
  errorCode?: string | null;
  arguments?: unknown;
  before?: unknown;
  after?: unknown;
}

/** The provider itself, for changes its background jobs make. */
export const SYSTEM_ACTOR = { clientId: 'gatehouse', platform: true } as const;

/**
 * Names that hold secrets, hashes or key material. Snapshots below are allowlists
 * already; this is the backstop for arguments, which are recorded as given.
 */
const SECRET_KEY = /password|secret(?!RotatedAt)|hash$|^privateKey$|^token$|Token$|^ct$/i;

export function redactSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactSecrets);
  if (value instanceof Date) return value.toISOString();
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, SECRET_KEY.test(k) ? '[redacted]' : redactSecrets(v)]),
    );
  }
  return value;
}

const json = (v: unknown): string | null => (v === undefined || v === null ? null : JSON.stringify(redactSecrets(v)));

/** Id and time of an audit record, fixed when it is begun (beginAudit) and kept when it is completed. */
export const auditSlot = (clock: Clock): { id: string; at: Date } => ({ id: timeOrderedId(), at: clock.date() });

/** The record of an entry; `_id` and `at` are given when a record begun earlier is completed. */
export function auditRecord(entry: AuditEntry, id: string, at: Date): AuditEventRecord {
  return {
    _id: id,
    at,
    actorClientId: entry.actor.clientId,
    actorPlatform: entry.actor.platform,
    tenantRef: entry.tenant?.id ?? null,
    tenantSlug: entry.tenant?.slug ?? null,
    operation: entry.operation,
    targetType: entry.targetType ?? null,
    targetId: entry.targetId ?? null,
    outcome: entry.outcome,
    errorCode: entry.errorCode ?? null,
    arguments: json(entry.arguments ?? {}) ?? '{}',
    before: json(entry.before),
    after: json(entry.after),
  };
}

/** Installs the outbox's writer for audit records: by `_id`, so a completed record replaces its PENDING one. */
export function registerAuditWriter(rt: Runtime): void {
  rt.outbox.register('audit', async (items: OutboxItem[]) => {
    await rt.store.auditEvents.upsertMany(
      items.map((i) => ({ ...(i.body as unknown as AuditEventRecord), at: new Date(i.body.at as string | Date) })),
    );
  });
}

/**
 * Writes one audit event through the durable outbox (events/outbox.ts): journaled on
 * disk first, written now or when the database returns. Never throws; only a full
 * outbox loses a record, and that is counted and logged at ERROR.
 */
export async function recordAudit(rt: Runtime, entry: AuditEntry, at?: { id: string; at: Date }): Promise<void> {
  const record = auditRecord(entry, at?.id ?? timeOrderedId(), at?.at ?? rt.clock.date());
  await rt.outbox.submit([{ kind: 'audit', id: record._id, body: record as unknown as Record<string, unknown> }]);
}

/**
 * Writes the audit record of a change about to be made, outcome PENDING, straight to
 * the database (throws when it cannot): an admin change is never applied without a
 * record of it. recordAudit with the same id completes it; a crash in between leaves
 * the PENDING record, which says the change may have been made.
 */
export async function beginAudit(rt: Runtime, entry: Omit<AuditEntry, 'outcome'>, id: string, at: Date): Promise<void> {
  await rt.store.auditEvents.insert(auditRecord({ ...entry, outcome: 'PENDING' }, id, at));
}

// ---- snapshots: the non-secret fields of each audited object ----

export const tenantSnapshot = (t: TenantRecord) => ({
  slug: t.slug,
  displayName: t.displayName,
  branding: t.branding ?? {},
  settings: t.settings ?? {},
  scopes: t.scopes ?? [],
});

export const clientSnapshot = (c: ClientRecord) => ({
  clientId: c.clientId,
  ...pickMetadata(c),
  metadata: JSON.parse(c.metadata || '{}') as unknown,
  canIntrospect: c.canIntrospect ?? null,
  tokenExchangeClients: c.tokenExchangeClients ?? [],
  secretRotatedAt: c.secretRotatedAt ?? null,
  disabled: c.disabled ?? false,
});

export const userSnapshot = (u: UserRecord) => ({
  id: u._id,
  username: u.username,
  claims: JSON.parse(u.claims || '{}') as unknown,
  disabled: u.disabled,
});

export const keysSnapshot = (keys: readonly Pick<SigningKeyRecord, 'kid' | 'alg' | 'status'>[]) =>
  keys.map((k) => ({ kid: k.kid, alg: k.alg, status: k.status }));

export const initialAccessTokenSnapshot = (t: InitialAccessTokenRecord) => ({
  id: t._id,
  singleUse: t.singleUse,
  expiresAt: t.expiresAt,
  revokedAt: t.revokedAt,
});
