import { oauthError } from '../../errors/oauth-error.js';
import type { AuthorizeContext } from './context.js';

/** A base64url SHA-256 digest is exactly 43 characters. */
const S256_CHALLENGE = /^[A-Za-z0-9_-]{43}$/;

/**
 * PKCE (RFC 7636) for responses that carry a code: S256 only (`plain`, also the
 * default when the method is omitted, is refused); mandatory for public clients.
 */
export function checkPkce(ctx: AuthorizeContext): void {
  if (!ctx.request.responseType!.split(' ').includes('code')) return;
  const challenge = ctx.params.get('code_challenge');
  const method = ctx.params.get('code_challenge_method');
  if (challenge === undefined) {
    if (method !== undefined) throw oauthError('invalid_request', 'code_challenge_method without code_challenge');
    if (ctx.client!.clientType === 'PUBLIC')
      throw oauthError('invalid_request', 'PKCE is required for public clients: send code_challenge with code_challenge_method=S256');
    return;
  }
  if ((method ?? 'plain') !== 'S256') throw oauthError('invalid_request', 'only code_challenge_method=S256 is supported');
  if (!S256_CHALLENGE.test(challenge))
    throw oauthError('invalid_request', 'code_challenge must be the base64url SHA-256 of the code verifier (43 characters)');
  ctx.request.codeChallenge = challenge;
  ctx.request.codeChallengeMethod = 'S256';
}
