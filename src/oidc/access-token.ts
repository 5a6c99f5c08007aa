import { randomBytes } from 'node:crypto';
import { signJwt } from '../keys/jwt.js';
import type { Runtime } from '../services/runtime.js';
import type { ClientRecord } from '../store/models/client.js';
import type { TenantContext } from '../tenancy/tenant-context.js';

export interface AccessTokenRequest {
  client: ClientRecord;
  /** The user, or the client itself for client_credentials. */
  sub: string;
  scopes: string[];
  audience?: string[];
  extraClaims?: Record<string, unknown>;
}

export interface IssuedAccessToken {
  token: string;
  jti: string;
  expiresIn: number;
}

/** RFC 9068 JWT access token, signed with the tenant's signingAlg ACTIVE key. */
export async function issueAccessToken(rt: Runtime, tenant: TenantContext, req: AccessTokenRequest): Promise<IssuedAccessToken> {
  const ring = rt.keyRings.peek(tenant) ?? (await rt.keyRings.get(tenant));
  const now = Math.floor(Date.now() / 1000);
  const expiresIn = tenant.settings.accessTokenTtl;
  const jti = randomBytes(16).toString('base64url');
  const aud = req.audience?.length ? (req.audience.length === 1 ? req.audience[0] : req.audience) : tenant.issuer;
  const token = await signJwt(
    ring,
    tenant.settings.signingAlg,
    {
      ...req.extraClaims,
      iss: tenant.issuer,
      sub: req.sub,
      aud,
      exp: now + expiresIn,
      iat: now,
      jti,
      client_id: req.client.clientId,
      scope: req.scopes.join(' '),
    },
    'at+jwt',
  );
  return { token, jti, expiresIn };
}
