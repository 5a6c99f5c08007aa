import type { JWTPayload } from 'jose';
import type { ClientRecord } from '../clients/client-record.js';
import type { AuthorizationRecord } from '../tokens/authorization-record.js';
import type { UserRecord } from '../users/user-record.js';
import type { TenantContext } from '../tenancy/tenant-context.js';
import type { Runtime } from '../runtime.js';
import { resolveUserClaims, type ClaimFailure } from './pipeline.js';

/** The private JWT claim that links a user's access token to its grant. */
export const GRANT_CLAIM = 'gid';

export interface AccessTokenClaimsInput {
  client: ClientRecord;
  /** The user's subject as this client sees it, or the client itself for client_credentials. */
  sub: string;
  scopes: string[];
  audience: string[];
  /** The user's grant; its id, auth_time and acr go in the token. */
  grant?: AuthorizationRecord | null;
  /** The user: claims resolvers that target ACCESS_TOKEN run for them. */
  user?: UserRecord | null;
  /** Claims of the grant type; below the protocol claims. */
  extraClaims?: Record<string, unknown>;
  /** RFC 8693 delegation (token exchange). */
  act?: Record<string, unknown> | null;
  /** RFC 9449 6.1: the thumbprint of the DPoP key the token is bound to (`cnf.jkt`). */
  jkt?: string;
  issuer: string;
  now: number;
  expiresIn: number;
  jti: string;
  onFailure?: (f: ClaimFailure) => void;
  preview?: boolean;
}

/**
 * The claims of an RFC 9068 JWT access token: the user's claims whose resolvers target
 * ACCESS_TOKEN (for the granted scopes), the grant type's extra claims, then the
 * protocol claims, which nothing overrides.
 */
export async function buildAccessTokenClaims(rt: Runtime, tenant: TenantContext, input: AccessTokenClaimsInput): Promise<JWTPayload> {
  const resolved = input.user
    ? await resolveUserClaims(rt, tenant, {
        user: input.user,
        client: input.client,
        scopes: input.scopes,
        target: 'ACCESS_TOKEN',
        sub: input.sub,
        onFailure: input.onFailure,
        preview: input.preview,
      })
    : {};
  const grant = input.grant;
  const grantClaims = grant ? { auth_time: grant.authTime, ...(grant.acr ? { acr: grant.acr } : {}), [GRANT_CLAIM]: grant._id } : {};
  const aud = input.audience.length ? input.audience : [input.issuer];
  return {
    ...resolved,
    ...input.extraClaims,
    ...grantClaims,
    iss: input.issuer,
    sub: input.sub,
    aud: aud.length === 1 ? aud[0] : aud,
    exp: input.now + input.expiresIn,
    iat: input.now,
    jti: input.jti,
    client_id: input.client.clientId,
    scope: input.scopes.join(' '),
    ...(input.act ? { act: input.act } : {}),
    ...(input.jkt ? { cnf: { jkt: input.jkt } } : {}),
  };
}
