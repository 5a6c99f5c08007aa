import type { Logger } from 'pino';
import { OAuthError, oauthError } from '../../errors/oauth-error.js';
import { outageError } from '../../errors/unavailable.js';
import type { TenantContext } from '../../tenancy/tenant-context.js';
import type { Answer } from '../endpoint.js';
import { errorPage } from './error-page.js';
import { authorizationResponse, type ResponseTarget } from './respond.js';

/**
 * The authorization endpoint's one error handler: back to the client when its
 * redirect_uri is validated and the error may travel there, an HTML page otherwise.
 * Unexpected errors are logged and become server_error without detail; a database
 * outage is temporarily_unavailable (503), redirected like any other error once the
 * redirect URI is trusted (the client was in memory), else a 503 page.
 */
export function authorizeErrorAnswer(tenant: TenantContext, target: ResponseTarget | undefined, err: unknown, log: Logger): Answer {
  const outage = err instanceof OAuthError ? undefined : outageError(err);
  const e = err instanceof OAuthError ? err : (outage ?? oauthError('server_error'));
  if (outage) log.warn({ reason: (err as Error).message }, 'database unavailable: authorization request answered temporarily_unavailable');
  else if (!(err instanceof OAuthError) || e.status >= 500) log.error({ err }, 'authorization request failed');
  if (!target || !e.redirectable) return errorPage(tenant, e);
  return authorizationResponse(target, { error: e.error, error_description: e.errorDescription });
}
