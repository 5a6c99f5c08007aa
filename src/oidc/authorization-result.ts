import type { ClientRecord } from '../clients/client-record.js';
import type { UserRecord } from '../users/user-record.js';

/**
 * The contract between the authorization endpoint (request validation, login, consent,
 * sessions: oidc/authorize/ and interaction/) and token issuance (grants, codes, tokens:
 * oidc/issue/). The authorization side decides *that* and *what* is authorized; the
 * issuing side turns the decision into a code and/or tokens.
 */

/** The `claims` request parameter (OIDC Core 5.5), already parsed and validated. */
export interface ClaimsRequest {
  userinfo?: Record<string, ClaimRequestEntry | null>;
  id_token?: Record<string, ClaimRequestEntry | null>;
}
export interface ClaimRequestEntry {
  essential?: boolean;
  value?: unknown;
  values?: unknown[];
}

export interface AuthenticatedSession {
  /** The OIDC `sid` of the login session (not the cookie value). */
  sid: string;
  /** Seconds since the epoch when the user last authenticated. */
  authTime: number;
  amr: string[];
  acr?: string;
}

export interface AuthorizationDecision {
  client: ClientRecord;
  user: UserRecord;
  session: AuthenticatedSession;
  /** Normalised: `code`, `id_token`, `id_token token`, `code id_token`, `code token`, `code id_token token`. */
  responseType: string;
  redirectUri: string;
  /** Granted scopes (requested ∩ allowed ∩ consented). */
  scopes: string[];
  claims?: ClaimsRequest;
  nonce?: string;
  codeChallenge?: string;
  codeChallengeMethod?: 'S256';
  /**
   * True only when `offline_access` was granted and `prompt=consent` was part of the
   * request (docs/openid-connect.md); the code exchange then returns a refresh token.
   */
  offlineAccess: boolean;
  /** `resource` / audience requested (RFC 8707), if any. */
  resource?: string[];
  /** RFC 9449 10: the thumbprint of the DPoP key that alone may redeem the code. */
  dpopJkt?: string;
  /** The request's `state`, for the ID token's `s_hash` (hybrid flows); not echoed by the issuing side. */
  state?: string;
}

/**
 * Parameters the authorization response carries besides `state`, `iss` and
 * `session_state` (those are added by the authorization side): `code`, `id_token`,
 * `access_token`, `token_type`, `expires_in`, `scope`.
 */
export type AuthorizationResponseParams = Record<string, string>;
