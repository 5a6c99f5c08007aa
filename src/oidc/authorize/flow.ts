import type { Request, Response } from 'express';
import type { Runtime } from '../../runtime.js';
import type { ClientRecord } from '../../clients/client-record.js';
import type { TenantContext } from '../../tenancy/tenant-context.js';
import type { AuthorizationRequest } from './context.js';
import type { ResponseTarget } from './respond.js';

/** A validated request on its way to a decision (fresh from the endpoint, or resumed). */
export interface AuthorizationFlow {
  rt: Runtime;
  tenant: TenantContext;
  req: Request;
  res: Response;
  client: ClientRecord;
  request: AuthorizationRequest;
  /** The interaction being resumed, if any (a further page reuses it). */
  interactionId?: string;
  /** Called just before the final response (success or error) is sent. */
  onFinish?: () => void;
}

export const responseTarget = (flow: Pick<AuthorizationFlow, 'tenant' | 'request'>): ResponseTarget => ({
  tenant: flow.tenant,
  redirectUri: flow.request.redirectUri,
  responseMode: flow.request.responseMode,
  state: flow.request.state,
});
