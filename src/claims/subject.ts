import type { Envelope } from '../keys/envelope.js';
import type { ClientRecord } from '../clients/client-record.js';
import type { UserRecord } from '../users/user-record.js';
import type { TenantContext } from '../tenancy/tenant-context.js';
import { codeHook, resolverClient, resolverTenant, resolverUser } from './code-resolvers.js';
import { hookFailures } from './extension-metrics.js';
import { storedClaims } from './user-claims.js';

export type SubjectType = 'public' | 'pairwise';

/** Only the envelope is needed; callers pass the Runtime. */
interface SubjectRuntime {
  envelope: Envelope;
}

interface ClientSubjectSettings {
  subjectType: SubjectType | null;
  sector: string;
}

const settingsCache = new WeakMap<ClientRecord, ClientSubjectSettings>();

/**
 * The sector identifier (OIDC Core 8.1): the host of `sector_identifier_uri` if the
 * client has one, else the host of its redirect URIs when they share one. A client
 * whose redirect URIs span several hosts and that has no sector_identifier_uri is its
 * own sector (its client id), so its subjects stay stable and unlinkable.
 */
function clientSubjectSettings(client: ClientRecord): ClientSubjectSettings {
  let s = settingsCache.get(client);
  if (s) return s;
  let meta: Record<string, unknown> = {};
  try {
    meta = JSON.parse(client.metadata || '{}') as Record<string, unknown>;
  } catch {
    meta = {};
  }
  const subjectType = meta.subject_type === 'public' || meta.subject_type === 'pairwise' ? meta.subject_type : null;
  let sector: string | undefined;
  if (typeof meta.sector_identifier_uri === 'string') sector = hostOf(meta.sector_identifier_uri);
  if (!sector) {
    const hosts = new Set(client.redirectUris.map(hostOf).filter((h): h is string => !!h));
    if (hosts.size === 1) sector = [...hosts][0];
  }
  s = { subjectType, sector: sector ?? `client:${client.clientId}` };
  settingsCache.set(client, s);
  return s;
}

function hostOf(uri: string): string | undefined {
  try {
    return new URL(uri).host || undefined;
  } catch {
    return undefined;
  }
}

/** The subject type in force for a client: its own choice, else the tenant's. */
export function subjectTypeFor(tenant: TenantContext, client: ClientRecord): SubjectType {
  return clientSubjectSettings(client).subjectType ?? tenant.settings.subjectType;
}

/** The sector identifier used for the client's pairwise subjects. */
export function sectorIdentifierFor(client: ClientRecord): string {
  return clientSubjectSettings(client).sector;
}

/** OIDC Core 2: sub is at most 255 ASCII characters. */
const VALID_SUB = /^[\x20-\x7E]{1,255}$/;

/**
 * The user's identifier: the tenant's SUB_GENERATOR hook (django-oidc-provider's
 * OIDC_IDTOKEN_SUB_GENERATOR), else the user id. Code only and synchronous: `sub` is
 * also computed where tokens are checked (id_token_hint, logout), which must not wait
 * for the network. A generator that fails fails the request: falling back to another
 * identifier would hand the client a different user.
 */
function userIdentifier(tenant: TenantContext, client: ClientRecord, user: UserRecord): string {
  const hook = tenant.record.hooks?.find((h) => h.point === 'SUB_GENERATOR');
  if (!hook) return user._id;
  const fn = hook.code ? codeHook(tenant.slug, 'SUB_GENERATOR', hook.code) : undefined;
  let sub: unknown;
  try {
    if (!fn) throw new Error(`no SUB_GENERATOR code hook "${hook.code}" is registered`);
    sub = fn(resolverUser(user, storedClaims(user)), resolverClient(client), resolverTenant(tenant));
    if (typeof sub !== 'string' || !VALID_SUB.test(sub)) throw new Error('it must return 1-255 printable ASCII characters, synchronously');
  } catch (err) {
    hookFailures.inc({ point: 'SUB_GENERATOR', reason: 'error' });
    throw new Error(`tenant ${tenant.slug}: the sub generator failed: ${(err as Error).message}`, { cause: err });
  }
  return sub;
}

/**
 * The `sub` a client sees for a user: `public` is the user's identifier (stable, the
 * same for every client); `pairwise` is a keyed hash of sector and that identifier, so
 * clients of different sectors cannot correlate users.
 */
export function subjectFor(rt: SubjectRuntime, tenant: TenantContext, client: ClientRecord, user: UserRecord): string {
  const id = userIdentifier(tenant, client, user);
  if (subjectTypeFor(tenant, client) === 'public') return id;
  return rt.envelope.keyedHash('pairwise subject', `${sectorIdentifierFor(client)}|${id}`);
}
