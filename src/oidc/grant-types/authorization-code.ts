import { createHash, timingSafeEqual } from 'node:crypto';
import { oauthError } from '../../errors/oauth-error.js';
import type { ClientRecord } from '../../clients/client-record.js';
import type { AuthorizationCodeRecord } from '../../tokens/authorization-code-record.js';
import { peekAuthorizationCode, redeemAuthorizationCode, type BeforeSpend } from '../../tokens/authorization-codes.js';
import { sameJkt } from '../dpop/index.js';
import { authorizationParties, issueTokenSet } from '../issue/token-set.js';
import { requestedResources } from '../resource-indicators/requested.js';
import { tokenTarget } from '../resource-indicators/token-target.js';
import type { DpopBinding } from '../token/dpop-binding.js';
import type { GrantTypeHandler } from '../token/grant-type.js';

const VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/;

function param(body: Record<string, unknown>, name: string): string | undefined {
  const v = body[name];
  if (v === undefined || v === '') return undefined;
  if (typeof v !== 'string') throw oauthError('invalid_request', `${name} must be a single string`);
  return v;
}

/** RFC 7636 4.6, S256 only; a verifier without a challenge is a downgrade attempt (RFC 9700 2.1.1). */
function checkPkce(rec: AuthorizationCodeRecord, client: ClientRecord, verifier: string | undefined): void {
  if (!rec.codeChallenge) {
    if (verifier !== undefined)
      throw oauthError('invalid_grant', 'code_verifier given but the authorization request had no code_challenge');
    if (client.clientType === 'PUBLIC') throw oauthError('invalid_grant', 'a public client must use PKCE');
    return;
  }
  if (verifier === undefined || !VERIFIER.test(verifier)) throw oauthError('invalid_grant', 'a valid code_verifier is required');
  const computed = Buffer.from(createHash('sha256').update(verifier, 'ascii').digest('base64url'));
  const expected = Buffer.from(rec.codeChallenge);
  if (computed.length !== expected.length || !timingSafeEqual(computed, expected))
    throw oauthError('invalid_grant', 'PKCE verification failed');
}

/**
 * RFC 9449 10: a code bound to a DPoP key (`dpop_jkt`, or PAR's proof) is redeemed only
 * with a proof of that key. Checked before the code is spent, so an attacker who took the
 * code from the front channel, and has no proof of the key, cannot burn it for its holder
 * (as with a public client's bound refresh token, grant-types/refresh-token.ts).
 */
const boundKeyCheck =
  (dpop: DpopBinding | undefined): BeforeSpend =>
  (rec) => {
    if (!rec.dpopJkt) return;
    if (!dpop) throw oauthError('invalid_grant', 'the authorization code is bound to a DPoP key: send a DPoP proof of that key');
    if (!sameJkt(rec.dpopJkt, dpop.jkt))
      throw oauthError('invalid_grant', 'the DPoP proof key is not the key the authorization code is bound to');
  };

/** RFC 6749 4.1.3 and OIDC Core 3.1.3. */
export const authorizationCode: GrantTypeHandler = async ({ rt, tenant, client, body, dpop }) => {
  const code = param(body, 'code');
  if (!code) throw oauthError('invalid_request', 'code is required');
  const redirectUri = param(body, 'redirect_uri');
  if (!redirectUri) throw oauthError('invalid_request', 'redirect_uri is required');
  const verifier = param(body, 'code_verifier');
  const resources = requestedResources(tenant, body.resource);

  // RFC 8707 2.2: a resource the authorization did not name is refused before the code is
  // spent, so the client can try again with the right one. Only requests that name a
  // resource pay the extra read (docs/performance.md "Code exchange and refresh").
  if (resources.length > 0) {
    const unspent = await peekAuthorizationCode(rt, tenant, code);
    if (unspent?.grant && unspent.clientId === client.clientId)
      await tokenTarget(tenant, client.clientId, resources, unspent.grant.resource);
  }

  // Single use; a reused code revokes its authorization (tokens/authorization-codes.ts).
  const rec = await redeemAuthorizationCode(rt, tenant, code, boundKeyCheck(dpop));
  if (!rec) throw oauthError('invalid_grant', 'the authorization code is invalid, expired or was already used');
  if (rec.clientId !== client.clientId) throw oauthError('invalid_grant', 'the authorization code was issued to another client');
  if (new Date(rec.expiresAt).getTime() <= tenant.clock.now()) throw oauthError('invalid_grant', 'the authorization code has expired');
  if (rec.redirectUri !== redirectUri) throw oauthError('invalid_grant', 'redirect_uri does not match the authorization request');
  checkPkce(rec, client, verifier);

  const parties = await authorizationParties(rt, tenant, rec.grant ?? rec.grantId);
  return issueTokenSet(rt, tenant, {
    ...parties,
    client,
    scopes: parties.authorization.scopes,
    // RFC 8707 2.2: one or more of the resources the authorization request named, or all of them.
    target: await tokenTarget(tenant, client.clientId, resources, parties.authorization.resource),
    withRefreshToken: parties.authorization.offlineAccess && client.grantTypes.includes('refresh_token'),
    withNonce: true,
    grantType: 'authorization_code',
    jkt: dpop?.jkt,
  });
};
