import type { Response } from 'express';
import type { Logger } from 'pino';
import { OAuthError, oauthError } from '../../errors/oauth-error.js';
import { outageError } from '../../errors/unavailable.js';
import type { TenantContext } from '../../tenancy/tenant-context.js';
import { sendErrorPage } from './error-page.js';
import { sendAuthorizationResponse, type ResponseTarget } from './respond.js';

/**
 * The authorization endpoint's one error handler: back to the client when its
 * redirect_uri is validated and the error may travel there, an HTML page otherwise.
 * Unexpected errors are logged and become server_error without detail; a database
 * outage is temporarily_unavailable (503), redirected like any other error once the
 * redirect URI is trusted (the client was in memory), else a 503 page.
 */
export function sendAuthorizeError(
  res: Response,
  tenant: TenantContext,
  target: ResponseTarget | undefined,
  err: unknown,
  log: Logger,
): void {
  const outage = err instanceof OAuthError ? undefined : outageError(err);
  const e = err instanceof OAuthError ? err : (outage ?? oauthError('server_error'));
  if (outage) log.warn({ reason: (err as Error).message }, 'database unavailable: authorization request answered temporarily_unavailable');
  else if (!(err instanceof OAuthError) || e.status >= 500) log.error({ err }, 'authorization request failed');
  if (res.headersSent) {
    res.end();
    return;
  }
  res.removeHeader('Location');
  if (!target || !e.redirectable) {
    sendErrorPage(res, tenant, e);
    return;
  }
  sendAuthorizationResponse(res, target, { error: e.error, error_description: e.errorDescription });
}
