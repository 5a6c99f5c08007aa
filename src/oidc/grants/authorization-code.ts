import { createHash, timingSafeEqual } from 'node:crypto';
import { oauthError } from '../../errors/oauth-error.js';
import type { ClientRecord } from '../../clients/client-record.js';
import type { AuthorizationCodeRecord } from '../../tokens/authorization-code-record.js';
import { grantParties, issueTokenSet } from '../issue/token-set.js';
import type { GrantContext, GrantHandler } from '../token/grant.js';

const VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/;

function param(body: Record<string, unknown>, name: string): string | undefined {
  const v = body[name];
  if (v === undefined || v === '') return undefined;
  if (typeof v !== 'string') throw oauthError('invalid_request', `${name} must be a single string`);
  return v;
}

/**
 * Single use, atomically: of concurrent redemptions exactly one consumes the code. A
 * code presented again means it leaked, so the grant (and with it every token the first
 * redemption issued) is revoked (RFC 6749 4.1.2, RFC 9700 4.5).
 */
async function consumeCode({ rt, tenant }: GrantContext, code: string): Promise<AuthorizationCodeRecord> {
  if (code.length > 512) throw oauthError('invalid_grant', 'unknown authorization code');
  const hash = rt.envelope.hashSecret(code);
  const rec = await tenant.store.codes.consume(hash);
  if (rec) return rec;
  const used = await tenant.store.codes.find(hash);
  if (used) {
    await tenant.store.grants.revoke(used.grantId);
    rt.log.warn({ tenant: tenant.slug, clientId: used.clientId, grantId: used.grantId }, 'authorization code reused: grant revoked');
  }
  throw oauthError('invalid_grant', 'the authorization code is invalid, expired or was already used');
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

/** RFC 6749 4.1.3 and OIDC Core 3.1.3. */
export const authorizationCode: GrantHandler = async (ctx) => {
  const { rt, tenant, client, body } = ctx;
  const code = param(body, 'code');
  if (!code) throw oauthError('invalid_request', 'code is required');
  const redirectUri = param(body, 'redirect_uri');
  if (!redirectUri) throw oauthError('invalid_request', 'redirect_uri is required');
  const verifier = param(body, 'code_verifier');

  const rec = await consumeCode(ctx, code);
  if (rec.clientId !== client.clientId) throw oauthError('invalid_grant', 'the authorization code was issued to another client');
  if (new Date(rec.expiresAt).getTime() <= Date.now()) throw oauthError('invalid_grant', 'the authorization code has expired');
  if (rec.redirectUri !== redirectUri) throw oauthError('invalid_grant', 'redirect_uri does not match the authorization request');
  checkPkce(rec, client, verifier);

  const parties = await grantParties(rt, tenant, rec.grant ?? rec.grantId);
  return issueTokenSet(rt, tenant, {
    ...parties,
    client,
    scopes: parties.grant.scopes,
    withRefreshToken: parties.grant.offlineAccess && client.grantTypes.includes('refresh_token'),
    withNonce: true,
    grantType: 'authorization_code',
    jkt: ctx.dpop?.jkt,
  });
};
