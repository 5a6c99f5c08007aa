import { subjectFor } from '../../claims/subject.js';
import type { Runtime } from '../../runtime.js';
import type { TenantContext } from '../../tenancy/tenant-context.js';
import { issueAccessToken } from '../../tokens/access-tokens.js';
import { issueAuthorizationCode } from '../../tokens/authorization-codes.js';
import { sweepExpiredTokens } from '../../tokens/expiry-sweep.js';
import type { AuthorizationDecision, AuthorizationResponseParams } from '../authorization-result.js';
import { scopesFor, tokenTarget } from '../resource-indicators/token-target.js';
import { recordDecision } from './authorization.js';
import { authenticationOf, issueIdToken } from './id-token.js';
import { codeLifetime } from '../fapi/profile.js';

/**
 * Turns an authorization decision into the response parameters: records the
 * authorization, then makes the code (tokens/authorization-codes.ts), the access token and
 * the ID token the response type asks for. `state`, `iss` and
 * `session_state` are the caller's to add.
 */
export async function issueAuthorizationResponse(
  rt: Runtime,
  tenant: TenantContext,
  decision: AuthorizationDecision,
): Promise<AuthorizationResponseParams> {
  const parts = new Set(decision.responseType.split(' ').filter(Boolean));
  const { client, user } = decision;
  const grant = await recordDecision(tenant, decision);
  const out: AuthorizationResponseParams = {};
  const sub = subjectFor(rt, tenant, client, user);

  let code: string | undefined;
  if (parts.has('code')) {
    code = await issueAuthorizationCode(rt, tenant, {
      authorization: grant,
      clientId: client.clientId,
      redirectUri: decision.redirectUri,
      codeChallenge: decision.codeChallenge ?? null,
      codeChallengeMethod: decision.codeChallenge ? (decision.codeChallengeMethod ?? 'S256') : null,
      dpopJkt: decision.dpopJkt ?? null,
      lifetimeSeconds: codeLifetime(tenant),
    });
    out.code = code;
  }

  let accessToken: string | undefined;
  if (parts.has('token')) {
    // For the resource(s) of the request, if any (RFC 8707), as at the token endpoint.
    const target = await tokenTarget(tenant, client.clientId, [], grant.resource);
    const scopes = scopesFor(grant.scopes, target);
    const at = await issueAccessToken(rt, tenant, {
      client,
      sub,
      scopes,
      audience: target?.audience,
      format: target?.format,
      ttl: target?.ttl,
      authorization: grant,
      user,
    });
    accessToken = at.token;
    out.access_token = at.token;
    out.token_type = 'Bearer';
    out.expires_in = String(at.expiresIn);
    out.scope = scopes.join(' ');
  }

  if (parts.has('id_token')) {
    out.id_token = await issueIdToken(rt, tenant, {
      client,
      user,
      sub,
      ...authenticationOf(grant),
      nonce: grant.nonce,
      scopes: grant.scopes,
      // With no access token the ID token is the only carrier of the scope claims (OIDC Core 5.4).
      scopeClaims: !parts.has('token') && !parts.has('code'),
      requestedClaims: decision.claims?.id_token ?? null,
      accessToken,
      code,
      state: decision.state,
    });
  }
  if (out.access_token || out.id_token) {
    rt.events.emit(tenant, {
      type: 'TOKEN_ISSUED',
      userId: user._id,
      clientId: client.clientId,
      data: {
        grantType: 'implicit',
        responseType: decision.responseType,
        grantId: grant._id,
        scope: grant.scopes.join(' '),
        tokens: [...(out.access_token ? ['access_token'] : []), ...(out.id_token ? ['id_token'] : [])],
      },
    });
  }
  sweepExpiredTokens(tenant, rt.log);
  return out;
}
