import { subjectFor } from '../../claims/subject.js';
import type { Runtime } from '../../runtime.js';
import type { TenantContext } from '../../tenancy/tenant-context.js';
import { issueAccessToken } from '../access-token.js';
import type { AuthorizationDecision, AuthorizationResponseParams } from '../authorization-result.js';
import { createGrant, newOpaqueToken } from './grant.js';
import { authenticationOf, issueIdToken } from './id-token.js';
import { maybeSweep } from './sweep.js';

/**
 * Turns an authorization decision into the response parameters: records the grant,
 * then makes the code (stored hashed, bound to client, redirect_uri and PKCE challenge),
 * the access token and the ID token the response type asks for. `state`, `iss` and
 * `session_state` are the caller's to add.
 */
export async function issueAuthorizationResponse(
  rt: Runtime,
  tenant: TenantContext,
  decision: AuthorizationDecision,
): Promise<AuthorizationResponseParams> {
  const parts = new Set(decision.responseType.split(' ').filter(Boolean));
  const { client, user } = decision;
  const grant = await createGrant(tenant, decision);
  const out: AuthorizationResponseParams = {};
  const sub = subjectFor(rt, tenant, client, user);

  let code: string | undefined;
  if (parts.has('code')) {
    code = newOpaqueToken();
    const now = new Date();
    await tenant.store.codes.insert({
      _id: rt.envelope.hashSecret(code),
      grantId: grant._id,
      clientId: client.clientId,
      redirectUri: decision.redirectUri,
      codeChallenge: decision.codeChallenge ?? null,
      codeChallengeMethod: decision.codeChallenge ? (decision.codeChallengeMethod ?? 'S256') : null,
      createdAt: now,
      expiresAt: new Date(now.getTime() + tenant.settings.codeTtl * 1000),
      usedAt: null,
      grant,
    });
    out.code = code;
  }

  let accessToken: string | undefined;
  if (parts.has('token')) {
    const at = await issueAccessToken(rt, tenant, { client, sub, scopes: grant.scopes, audience: grant.resource, grant, user });
    accessToken = at.token;
    out.access_token = at.token;
    out.token_type = 'Bearer';
    out.expires_in = String(at.expiresIn);
    out.scope = grant.scopes.join(' ');
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
  maybeSweep(tenant, rt.log);
  return out;
}
