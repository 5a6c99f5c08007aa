import { oauthError } from '../../errors/oauth-error.js';
import { mayRequest, resourceServersOf } from '../../resources/directory.js';
import type { ResourceServerRecord } from '../../resources/resource-server-record.js';
import type { TenantContext } from '../../tenancy/tenant-context.js';

/** Whom an access token is for, and what that implies for it (RFC 8707 2.2, RFC 9068 3). */
export interface TokenTarget {
  /** The token's `aud`. */
  audience: string[];
  /** Scopes the audience accepts (the union over its resource servers); null: no narrowing. */
  accepts: ReadonlySet<string> | null;
  /** A resource server's format (opaque if any of them wants it) and lifetime (the shortest). */
  format?: 'jwt' | 'opaque';
  ttl?: number;
}

const refuse = (why: string) => oauthError('invalid_target', why);

/**
 * The target of an access token issued at the token endpoint.
 *
 * `requested`: the `resource` values of the token request (./requested.ts).
 * `granted`: the resources of the grant the token is issued from (authorization code,
 * refresh token), or null for client_credentials, which has no grant: any resource server
 * the client may ask for is then allowed. A requested resource must be among the granted
 * ones (a refresh narrows to one of them, RFC 8707 2.2); with none requested the token is
 * for all granted ones. Each is a resource server the client may still use, or one of the
 * tenant's allowedAudiences (grants derived by token exchange); anything else — unknown,
 * deleted meanwhile, not for this client, not granted — is invalid_target. Null: no
 * resource, the token is for the tenant itself (its default audience).
 */
export async function tokenTarget(
  tenant: TenantContext,
  clientId: string,
  requested: readonly string[],
  granted: readonly string[] | null,
): Promise<TokenTarget | null> {
  if (granted && requested.some((r) => !granted.includes(r))) throw refuse('the resource was not granted');
  const names = requested.length ? [...requested] : [...(granted ?? [])];
  if (!names.length) return null;
  // Switched off: grants keep what they hold, without resource server rules (none are looked up).
  if (!tenant.settings.resourceIndicators) return { audience: names, accepts: null };
  const servers = await resourceServersOf(tenant);
  const used: ResourceServerRecord[] = [];
  for (const name of names) {
    const rs = servers.get(name);
    if (rs) {
      if (!mayRequest(rs, clientId)) throw refuse('this client may not ask for the resource');
      used.push(rs);
    } else if (!(granted && tenant.settings.allowedAudiences.includes(name))) {
      throw refuse('the resource is not known in this tenant');
    }
  }
  if (!used.length) return { audience: names, accepts: null };
  return {
    audience: names,
    accepts: used.length === names.length ? new Set(used.flatMap((rs) => rs.scopes)) : null,
    format: used.some((rs) => rs.accessTokenFormat === 'opaque') ? 'opaque' : 'jwt',
    ttl: Math.min(...used.map((rs) => rs.accessTokenTtl ?? tenant.settings.accessTokenTtl)),
  };
}

/** The scopes of an access token for the target: the given ones its resource servers accept. */
export const scopesFor = (scopes: readonly string[], target: TokenTarget | null): string[] =>
  target?.accepts ? scopes.filter((s) => target.accepts!.has(s)) : [...scopes];
