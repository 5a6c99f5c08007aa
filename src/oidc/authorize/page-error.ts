import { oauthError, type OAuthError, type OAuthErrorCode } from '../../errors/oauth-error.js';

/**
 * An error that must never be redirected: the client or its redirect_uri is not
 * trusted (yet), so the user sees an HTML page instead (RFC 6749 section 4.1.2.1).
 */
export function pageError(code: OAuthErrorCode, description: string): OAuthError {
  const err = oauthError(code, description);
  err.redirectable = false;
  return err;
}
