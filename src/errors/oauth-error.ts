/**
 * OAuth 2.0 / OIDC protocol errors. Endpoints only throw these; one error handler per
 * surface renders them as JSON, an error redirect or an HTML page.
 */
export class OAuthError extends Error {
  /** Set when the error may be sent back to a redirect URI that was already validated. */
  redirectable = true;
  headers: Record<string, string> = {};
  /** Always within the RFC 6749 charset and at most MAX_DESCRIPTION characters (safeDescription). */
  readonly errorDescription: string;
  constructor(
    readonly error: string,
    errorDescription: string,
    readonly status = 400,
  ) {
    const safe = safeDescription(errorDescription) || safeDescription(byCode.get(error)?.[2] ?? '') || 'error';
    super(safe);
    this.errorDescription = safe;
    this.name = 'OAuthError';
  }
  toJSON(): { error: string; error_description: string } {
    return { error: this.error, error_description: this.errorDescription };
  }
}

/** Longest error_description sent: enough for one sentence, never a dump of anything. */
export const MAX_DESCRIPTION = 200;

/**
 * RFC 6749 sections 4.1.2.1, 5.2 and RFC 6750 section 3 allow only %x20-21 / %x23-5B /
 * %x5D-7E in error_description: printable ASCII without `"` and `\`. Every OAuthError
 * passes its description through here, so no throw site can break a redirect, a JSON
 * body or a WWW-Authenticate challenge; throw sites also never put request values in
 * descriptions (docs/openid-connect.md "Error descriptions"). `"` becomes `'`, `\`
 * becomes `/`, whitespace becomes a space, anything else outside the set is dropped.
 */
export function safeDescription(text: string): string {
  const out = String(text)
    .replace(/"/g, "'")
    .replace(/\\/g, '/')
    .replace(/\s+/g, ' ')
    .replace(/[^\x20-\x21\x23-\x5b\x5d-\x7e]/g, '')
    .trim();
  return out.length > MAX_DESCRIPTION ? out.slice(0, MAX_DESCRIPTION).trimEnd() : out;
}

// [code, HTTP status, default description]
const table = [
  ['invalid_request', 400, 'the request is missing a required parameter or is otherwise malformed'],
  ['invalid_client', 401, 'client authentication failed'],
  ['invalid_grant', 400, 'the grant is invalid, expired, revoked or was issued to another client'],
  ['unauthorized_client', 400, 'the client is not allowed to use this grant or response type'],
  ['unsupported_grant_type', 400, 'the grant type is not supported'],
  ['invalid_scope', 400, 'the requested scope is invalid, unknown or exceeds what was granted'],
  ['access_denied', 403, 'the resource owner or server denied the request'],
  ['unsupported_response_type', 400, 'the response type is not supported'],
  ['server_error', 500, 'the server encountered an unexpected condition'],
  ['temporarily_unavailable', 503, 'the server is temporarily unable to handle the request'],
  ['invalid_token', 401, 'the access token is invalid, expired or revoked'],
  ['insufficient_scope', 403, 'the access token does not carry the required scope'],
  ['login_required', 400, 'end-user authentication is required'],
  ['consent_required', 400, 'end-user consent is required'],
  ['interaction_required', 400, 'end-user interaction is required'],
  ['account_selection_required', 400, 'end-user account selection is required'],
  // OpenID Connect Core Error Code unmet_authentication_requirements 1.0 (essential acr that cannot be met).
  ['unmet_authentication_requirements', 400, 'the authentication requirements of the request cannot be met'],
  ['request_not_supported', 400, 'the request parameter is not supported'],
  ['request_uri_not_supported', 400, 'the request_uri parameter is not supported'],
  ['invalid_request_object', 400, 'the request object is invalid'],
  ['invalid_request_uri', 400, 'the request_uri is invalid or its document could not be fetched'],
  ['registration_not_supported', 400, 'registration is not supported'],
  ['invalid_redirect_uri', 400, 'a redirect URI is invalid'],
  ['invalid_client_metadata', 400, 'a client metadata value is invalid'],
  ['invalid_target', 400, 'the requested resource or audience is invalid'],
  ['unsupported_token_type', 400, 'the token type is not supported'],
  // RFC 8628 3.5: the device code grant's answers while the user has not finished (all 400, as RFC 6749 5.2).
  ['authorization_pending', 400, 'the user has not yet completed the authorization'],
  ['slow_down', 400, 'polling too fast: the interval is now 5 seconds longer'],
  ['expired_token', 400, 'the device code has expired'],
  // RFC 9449 12.2: a DPoP proof that fails a check, and the request for a server nonce.
  ['invalid_dpop_proof', 400, 'the DPoP proof is invalid'],
  ['use_dpop_nonce', 400, 'a DPoP nonce from the server is required'],
  ['not_found', 404, 'not found'],
  ['method_not_allowed', 405, 'method not allowed'],
] as const;

export type OAuthErrorCode = (typeof table)[number][0];

const byCode = new Map<string, readonly [string, number, string]>(table.map((row) => [row[0], row]));

/** Creates a protocol error with the status and wording the table gives for the code. */
export function oauthError(code: OAuthErrorCode, description?: string): OAuthError {
  const row = byCode.get(code)!;
  return new OAuthError(code, description ?? row[2], row[1]);
}

/** 401 invalid_client with the challenge RFC 6749 section 5.2 requires for Basic auth. */
export function invalidClient(description = 'client authentication failed', scheme = 'Basic'): OAuthError {
  const err = oauthError('invalid_client', description);
  err.headers['WWW-Authenticate'] = `${scheme} realm="gatehouse", error="invalid_client"`;
  return err;
}

/** Bearer token errors per RFC 6750 section 3. */
export function bearerError(code: 'invalid_token' | 'insufficient_scope' | 'invalid_request', description: string): OAuthError {
  const err = oauthError(code, description);
  // errorDescription is already free of `"` and `\` (safeDescription): safe inside the quoted-string.
  err.headers['WWW-Authenticate'] = `Bearer realm="gatehouse", error="${code}", error_description="${err.errorDescription}"`;
  return err;
}

/** A tenant or resource that does not exist. Rendered as JSON 404. */
export function notFound(description = 'not found'): OAuthError {
  const err = oauthError('not_found', description);
  err.redirectable = false;
  return err;
}
