import type { Request, Response } from 'express';
import type { Logger } from 'pino';
import type { ActiveSession } from '../../sessions/login-sessions.js';
import type { Runtime } from '../../runtime.js';
import type { ClientRecord } from '../../clients/client-record.js';
import type { TenantContext } from '../../tenancy/tenant-context.js';

/** A verified id_token_hint: who the RP says is logging out, and from which session. */
export interface VerifiedHint {
  /** The hint's audience: the client that asks for the logout. */
  clientId: string;
  sub: string;
  sid: string | null;
}

/** What the steps of the end_session endpoint share while a request is processed. */
export interface EndSessionContext {
  rt: Runtime;
  tenant: TenantContext;
  req: Request;
  res: Response;
  log: Logger;
  /** Single-valued parameters (query for GET, form body for POST); empty values count as absent. */
  params: Map<string, string>;
  repeated: Set<string>;
  hint: VerifiedHint | null;
  /**
   * An id_token_hint was sent and did not verify (forged, of another tenant, of an unknown
   * client): nothing the request says about the client can be trusted, so no redirect.
   */
  hintRefused: boolean;
  /** The client asking for the logout, when the request identifies it. */
  client: ClientRecord | null;
  /** post_logout_redirect_uri, only once it matched the client's registered list exactly. */
  redirectUri: string | null;
  state: string | null;
  logoutHint: string | null;
  uiLocale: string;
  /** The browser's session at this tenant, if any. */
  session: ActiveSession | null;
}

export type EndSessionStep = (ctx: EndSessionContext) => Promise<void> | void;

/** The request parameters RP-Initiated Logout 1.0 defines, carried through the confirmation form. */
export const LOGOUT_PARAMS = ['id_token_hint', 'client_id', 'post_logout_redirect_uri', 'state', 'ui_locales', 'logout_hint'] as const;
