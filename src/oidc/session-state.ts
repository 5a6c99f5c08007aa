import { createHash, randomBytes } from 'node:crypto';

/**
 * `session_state` of OIDC Session Management 1.0 section 3: the hex SHA-256 of
 * `client_id origin browser_state salt` (space-separated, as the specification's example
 * computes it), then "." and the salt. The check_session iframe (check-session.ts)
 * recomputes exactly this from the RP's message, the message's origin and the browser
 * state cookie; a different result means the login state changed.
 */
export function sessionState(clientId: string, origin: string, browserState: string, salt = randomBytes(16).toString('base64url')): string {
  const hash = createHash('sha256').update(`${clientId} ${origin} ${browserState} ${salt}`).digest('hex');
  return `${hash}.${salt}`;
}

/**
 * The origin the RP's page will post its messages from: that of the redirect URI.
 * Null for a redirect URI that has no web origin (a native app's private-use scheme):
 * such a client cannot embed the iframe, so it gets no session_state.
 */
export function redirectOrigin(redirectUri: string): string | null {
  try {
    const u = new URL(redirectUri);
    return u.protocol === 'https:' || u.protocol === 'http:' ? u.origin : null;
  } catch {
    return null;
  }
}
