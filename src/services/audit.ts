import type { SigningKeyRecord } from '../keys/key-record.js';
import { timeOrderedId } from '../store/ids.js';
import type { AuditOutcome } from '../store/models/audit-event.js';
import type { ClientRecord } from '../store/models/client.js';
import type { InitialAccessTokenRecord } from '../store/models/initial-access-token.js';
import type { TenantRecord } from '../store/models/tenant.js';
import type { UserRecord } from '../store/models/user.js';
import { pickMetadata } from './clients.js';
import type { Runtime } from './runtime.js';

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

/** Writes one audit event. Never throws: a lost audit line is logged loudly instead of failing a change already made. */
export async function recordAudit(rt: Runtime, entry: AuditEntry): Promise<void> {
  const at = new Date();
  try {
    await rt.store.auditEvents.insert({
      _id: timeOrderedId(at.getTime()),
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
    });
  } catch (err) {
    rt.log.error({ err, operation: entry.operation, tenant: entry.tenant?.slug }, 'AUDIT EVENT LOST: could not record an admin operation');
  }
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
});

export const userSnapshot = (u: UserRecord) => ({
  id: u._id,
  username: u.username,
  claims: JSON.parse(u.claims || '{}') as unknown,
  disabled: u.disabled,
});

export const keysSnapshot = (keys: readonly SigningKeyRecord[]) => keys.map((k) => ({ kid: k.kid, alg: k.alg, status: k.status }));

export const initialAccessTokenSnapshot = (t: InitialAccessTokenRecord) => ({
  id: t._id,
  singleUse: t.singleUse,
  expiresAt: t.expiresAt,
  revokedAt: t.revokedAt,
});
