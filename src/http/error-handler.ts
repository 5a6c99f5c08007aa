import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import { OAuthError, oauthError } from '../errors/oauth-error.js';
import { outageError } from '../errors/unavailable.js';
import type { Answer, AnswerHeaders } from '../oidc/endpoint.js';
import { InputError, NotFoundError } from '../errors/domain-errors.js';

interface BodyParserError {
  type?: string;
  status?: number;
}

/**
 * The services layer words its InputErrors for admins and may quote the offending value
 * (`"x" is not a supported grant type`); on the protocol surface a description never
 * echoes request input, so quoted values are replaced and the field path is kept only
 * when it is a plain path.
 */
export function inputErrorDescription(err: InputError): string {
  const message = err.message.replace(/"[^"]*"/g, 'a value');
  return /^[A-Za-z0-9_.[\]]{1,80}$/.test(err.field) ? `${err.field}: ${message}` : message;
}

/** Maps anything thrown to an OAuth error; unexpected errors become a 500 without detail. */
export function toOAuthError(err: unknown): OAuthError {
  if (err instanceof OAuthError) return err;
  if (err instanceof InputError) return oauthError(err.oauthCode, inputErrorDescription(err));
  if (err instanceof NotFoundError) return oauthError('not_found', err.message);
  const bp = err as BodyParserError;
  if (bp && typeof bp.type === 'string') {
    if (bp.type === 'entity.too.large') return new OAuthError('invalid_request', 'the request body is too large', 413);
    if (bp.type === 'entity.parse.failed') return oauthError('invalid_request', 'the request body is malformed');
    if (bp.type === 'encoding.unsupported' || bp.type === 'charset.unsupported')
      return new OAuthError('invalid_request', 'unsupported body encoding', 415);
    if (bp.type === 'parameters.too.many') return new OAuthError('invalid_request', 'too many parameters', 413);
    if (typeof bp.status === 'number' && bp.status >= 400 && bp.status < 500)
      return new OAuthError('invalid_request', 'the request body could not be read', bp.status);
  }
  // The database is away: 503 temporarily_unavailable, never a 500 (docs/operations.md).
  const outage = outageError(err);
  if (outage) return outage;
  // Other client errors raised by Express itself (e.g. a malformed %-escape in the path).
  const status = (err as { status?: unknown; statusCode?: unknown })?.status ?? (err as { statusCode?: unknown })?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500)
    return new OAuthError('invalid_request', 'the request could not be understood', status);
  return oauthError('server_error');
}

/** Logs what an error says about the server (an outage, a bug); client errors are not logged. */
export function logError(err: unknown, e: OAuthError, log: Logger): void {
  if (e.error === 'temporarily_unavailable') log.warn({ reason: (err as Error).message }, 'database unavailable: answered 503');
  else if (e.status >= 500) log.error({ err }, 'unhandled error');
}

/** The JSON error answer of the protocol surface; `routeHeaders` are the route's own (CORS, no-store). */
export function errorAnswer(e: OAuthError, routeHeaders?: AnswerHeaders): Answer {
  return { status: e.status, headers: { ...routeHeaders, ...e.headers, 'Cache-Control': 'no-store' }, json: e.toJSON() };
}

/** JSON error rendering for the Express parts (/graphql's body parser, the pages' unexpected errors). */
export function jsonErrorHandler(log: Logger) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction): void => {
    const e = toOAuthError(err);
    logError(err, e, (res.locals.log as Logger | undefined) ?? log);
    if (res.headersSent) {
      res.end();
      return;
    }
    for (const [k, v] of Object.entries(e.headers)) res.setHeader(k, v);
    res.setHeader('Cache-Control', 'no-store');
    res.status(e.status).json(e.toJSON());
  };
}
