import { GraphQLError } from 'graphql';

export type AdminErrorCode =
  'UNAUTHENTICATED' | 'FORBIDDEN' | 'BAD_USER_INPUT' | 'NOT_FOUND' | 'CONFLICT' | 'INTERNAL_SERVER_ERROR' | 'SERVICE_UNAVAILABLE';

/** GraphQL errors of the admin API carry extensions.code (and .field for input errors). */
export class AdminError extends GraphQLError {
  constructor(code: AdminErrorCode, message: string, extra: Record<string, unknown> = {}) {
    super(message, { extensions: { code, ...extra } });
  }
}

export const unauthenticated = (message = 'an admin bearer token is required') => new AdminError('UNAUTHENTICATED', message);
export const forbidden = (message = 'this token may not perform this operation') => new AdminError('FORBIDDEN', message);
export const notFound = (what: string) => new AdminError('NOT_FOUND', `${what} not found`);
export const conflict = (message: string, field?: string) => new AdminError('CONFLICT', message, field ? { field } : {});
export const badInput = (field: string, message: string) => new AdminError('BAD_USER_INPUT', `${field}: ${message}`, { field });
export const serviceUnavailable = (message = 'the service is temporarily unavailable, try again shortly') =>
  new AdminError('SERVICE_UNAVAILABLE', message);
