import type { Envelope } from '../keys/envelope.js';
import type { ClientRecord } from '../store/models/client.js';
import type { UserRecord } from '../store/models/user.js';
import type { TenantContext } from '../tenancy/tenant-context.js';

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

/**
 * The `sub` a client sees for a user: `public` is the user id (stable, the same for
 * every client); `pairwise` is a keyed hash of sector and user id, so clients of
 * different sectors cannot correlate users.
 */
export function subjectFor(rt: SubjectRuntime, tenant: TenantContext, client: ClientRecord, user: UserRecord): string {
  if (subjectTypeFor(tenant, client) === 'public') return user._id;
  return rt.envelope.keyedHash('pairwise subject', `${sectorIdentifierFor(client)}|${user._id}`);
}
