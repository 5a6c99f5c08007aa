import type { JWTPayload } from 'jose';
import type { ClientRecord } from '../clients/client-record.js';
import type { UserRecord } from '../users/user-record.js';
import type { TenantContext } from '../tenancy/tenant-context.js';
import type { Runtime } from '../runtime.js';
import { idTokenHookChanges } from './hooks.js';
import { resolveUserClaims, type ClaimFailure } from './pipeline.js';
import { PROTECTED_CLAIMS } from './standard-claims.js';
import { isEmpty, type RequestedClaims } from './user-claims.js';

export interface IdTokenClaimsInput {
  client: ClientRecord;
  user: UserRecord;
  /** The user's subject for this client (subject.ts). */
  sub: string;
  authTime: number;
  acr?: string | null;
  amr?: string[];
  sid?: string | null;
  /** Omitted on refresh (OIDC Core 12.2). */
  nonce?: string | null;
  /** Granted scopes. */
  scopes: string[];
  /** True when no access token comes with the ID token (see ClaimsRequestInput.scopeClaims). */
  scopeClaims: boolean;
  /** The `claims` parameter's id_token member. */
  requestedClaims?: RequestedClaims | null;
  /** at_hash, c_hash, s_hash, computed by the issuing side for the signing algorithm. */
  hashes?: { at_hash?: string; c_hash?: string; s_hash?: string };
  /** Seconds since the epoch (default now). */
  now?: number;
  idTokenTtl: number;
  issuer: string;
  onFailure?: (f: ClaimFailure) => void;
  preview?: boolean;
}

/**
 * The claims of an ID token (OIDC Core 2 and 3.x) before signing: the user's claims of
 * the claims pipeline, the protocol claims, then the tenant's ID token processing hook,
 * which can add and change claims but never the protected ones.
 */
export async function buildIdTokenClaims(rt: Runtime, tenant: TenantContext, input: IdTokenClaimsInput): Promise<JWTPayload> {
  const now = input.now ?? Math.floor(Date.now() / 1000);
  const userClaims = await resolveUserClaims(rt, tenant, {
    user: input.user,
    client: input.client,
    scopes: input.scopes,
    target: 'ID_TOKEN',
    requested: input.requestedClaims ?? null,
    scopeClaims: input.scopeClaims,
    sub: input.sub,
    onFailure: input.onFailure,
    preview: input.preview,
  });
  const protocol: Record<string, unknown> = {
    iss: input.issuer,
    sub: input.sub,
    aud: input.client.clientId,
    exp: now + input.idTokenTtl,
    iat: now,
    auth_time: input.authTime,
    azp: input.client.clientId,
  };
  if (input.nonce) protocol.nonce = input.nonce;
  if (input.acr) protocol.acr = input.acr;
  if (input.amr?.length) protocol.amr = input.amr;
  if (input.sid) protocol.sid = input.sid;
  for (const [k, v] of Object.entries(input.hashes ?? {})) if (v) protocol[k] = v;

  const payload: Record<string, unknown> = { ...userClaims, ...protocol };
  const changes = await idTokenHookChanges(rt, tenant, {
    claims: payload,
    user: input.user,
    client: input.client,
    scopes: input.scopes,
    sub: input.sub,
  });
  for (const [name, value] of Object.entries(changes)) {
    if (PROTECTED_CLAIMS.has(name)) continue;
    if (isEmpty(value)) delete payload[name];
    else payload[name] = value;
  }
  return payload as JWTPayload;
}
