import { oauthError } from '../errors/oauth-error.js';
import type { ClientRecord } from '../clients/client-record.js';

export function parseScope(value: unknown): string[] {
  if (value === undefined || value === null || value === '') return [];
  if (typeof value !== 'string') throw oauthError('invalid_request', 'scope must be a single string');
  return [...new Set(value.split(' ').filter(Boolean))];
}

/** Requested scopes must all be ones the client may request (docs/claims-and-hooks.md "Scopes"). */
export function allowedScopes(client: ClientRecord, requested: string[]): string[] {
  const refused = requested.filter((s) => !client.scopes.includes(s));
  if (refused.length) throw oauthError('invalid_scope', 'the client may not request one or more of the requested scopes');
  return requested;
}
