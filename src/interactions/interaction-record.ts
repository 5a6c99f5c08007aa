export type InteractionPrompt = 'login' | 'consent' | 'select_account';

/**
 * Where an interaction is in its life (docs/architecture.md, "The interaction state machine"):
 *   pending   — a page (login, consent, account choice) is open in the browser
 *   completed — the page recorded its result; the authorization endpoint has not taken it yet
 *   resuming  — the endpoint took the result (exactly once) and decides; it may reopen the
 *               interaction for a further page (→ pending) or end it (deleted)
 */
export type InteractionState = 'pending' | 'completed' | 'resuming';

/**
 * A pending authorization request waiting for the browser to finish a page (login,
 * consent, account selection). The authorization endpoint writes it, the interaction
 * pages record their result on it, and the endpoint's resume step reads the result.
 */
export interface InteractionRecord {
  /** Random, appears in the page URL. */
  _id: string;
  tenantId: string;
  /** Hash of the cookie value that binds the interaction to the browser that started it. */
  browserHash: string;
  clientId: string;
  /** Which page the browser must complete now. */
  prompt: InteractionPrompt;
  /** `pending` while the page is open; `completed` when its result awaits the resume step. */
  state: InteractionState;
  /** The validated authorization request, JSON (owned by the authorization endpoint). */
  request: string;
  /** What the pages show (JSON, see interaction/details.ts). */
  details: string;
  /** Accumulated results of the pages (JSON, see interaction/details.ts). */
  result: string;
  /** Where the browser goes once the page is done. */
  returnTo: string;
  /** A one-shot message for the next rendering of the page (e.g. failed login). */
  flash?: string | null;
  createdAt: Date;
  expiresAt: Date;
}

/**
 * What the pages show, written by the authorization endpoint (stored as JSON in
 * `details`): the shared vocabulary of oidc/authorize and interaction/.
 */
export interface InteractionDetails {
  clientName: string;
  /** The client's redirect URI: the pages' CSP lets the form's redirect chain reach it. */
  redirectUri: string;
  /** Scopes to show on the consent page (the whole request). */
  scopes: string[];
  /** Individually requested claim names (the `claims` parameter). */
  claims: string[];
  /**
   * The resource servers (RFC 8707 `resource`, already checked) the access is for, by
   * identifier; the consent page shows their names. Absent or empty: none requested.
   */
  resources?: string[];
  loginHint?: string;
  /** The signed-in user the consent or account page is about. */
  userId?: string;
  username?: string;
  /** Why a login is needed: no_session, prompt_login, max_age, id_token_hint. */
  loginReason?: string;
  uiLocale?: string;
}

/** What the pages decided (stored as JSON in `result`); results accumulate over the rounds. */
export interface InteractionResult {
  /** A login that happened in this interaction (satisfies prompt=login and max_age). */
  login?: { sessionId: string; userId: string };
  /** The user chose to continue with the existing session (prompt=select_account). */
  selectAccount?: { sessionId: string };
  consent?: { scopes: string[]; claims: string[] };
  /** The user refused, or the tenant's after-login hook refused (access_denied) or asked for a step Gatehouse cannot do (interaction_required). */
  error?: { error: 'access_denied' | 'interaction_required'; description: string };
}
