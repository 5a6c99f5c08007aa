import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import type { Logger } from 'pino';
import { AdminError, serviceUnavailable } from '../errors/admin-error.js';
import { isStoreUnavailable } from '../store/errors.js';
import { ConflictError, InputError, NotFoundError } from '../errors/domain-errors.js';
import { InvalidCursorError } from '../store/paging.js';

/** The extensions.code an error is reported with (also recorded in the audit trail). */
export function errorCode(error: unknown): string {
  const original = error instanceof GraphQLError && error.originalError ? error.originalError : error;
  if (original instanceof AdminError) return String(original.extensions.code);
  if (isStoreUnavailable(original)) return 'SERVICE_UNAVAILABLE';
  if (original instanceof InputError || original instanceof InvalidCursorError) return 'BAD_USER_INPUT';
  if (original instanceof ConflictError) return 'CONFLICT';
  if (original instanceof NotFoundError) return 'NOT_FOUND';
  if (original instanceof GraphQLError && typeof original.extensions.code === 'string') return original.extensions.code;
  return 'INTERNAL_SERVER_ERROR';
}

/** Maps service errors to admin error codes; anything unexpected is logged and hidden. */
export function formatAdminError(log: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = error instanceof GraphQLError ? error.originalError : error;
    const base = { message: formatted.message, locations: formatted.locations, path: formatted.path };
    if (original instanceof AdminError) return { ...base, message: original.message, extensions: original.extensions };
    if (original instanceof InputError)
      return { ...base, message: `${original.field}: ${original.message}`, extensions: { code: 'BAD_USER_INPUT', field: original.field } };
    if (original instanceof ConflictError)
      return { ...base, message: original.message, extensions: { code: 'CONFLICT', field: original.field } };
    if (original instanceof NotFoundError) return { ...base, message: original.message, extensions: { code: 'NOT_FOUND' } };
    if (isStoreUnavailable(original)) {
      log.warn(
        { reason: (original as Error).message, path: formatted.path },
        'database unavailable: admin request answered SERVICE_UNAVAILABLE',
      );
      const e = serviceUnavailable();
      return { ...base, message: e.message, extensions: e.extensions };
    }
    if (original instanceof InvalidCursorError)
      return { ...base, message: `after: ${original.message}`, extensions: { code: 'BAD_USER_INPUT', field: 'after' } };
    const code = formatted.extensions?.code;
    if (original && !(original instanceof GraphQLError) && (code === undefined || code === 'INTERNAL_SERVER_ERROR')) {
      log.error({ err: original, path: formatted.path }, 'admin resolver failed');
      return { ...base, message: 'internal error', extensions: { code: 'INTERNAL_SERVER_ERROR' } };
    }
    return formatted;
  };
}
