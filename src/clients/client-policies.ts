import type { ClientRecord } from './client-record.js';
import { InputError } from '../errors/domain-errors.js';

/**
 * Per-client access policies an operator sets (admin API, tenant files), never a
 * registrant: dynamic registration does not read these fields (docs/security.md
 * "Token exchange policy", "Introspection access").
 */
export interface ClientPolicyInput {
  canIntrospect?: boolean | null;
  tokenExchangeClients?: string[] | null;
}

export type ClientPolicies = Partial<Pick<ClientRecord, 'canIntrospect' | 'tokenExchangeClients'>>;

/** The client id syntax of clients/clients.ts (not imported: clients.ts imports this module). */
const CLIENT_ID = /^[A-Za-z0-9._~-]{3,128}$/;

/** Validates the policy fields of a change; omitted (undefined) fields stay out, null resets to the default. */
export function validateClientPolicies(input: ClientPolicyInput | undefined): ClientPolicies {
  const out: ClientPolicies = {};
  if (!input) return out;
  if (input.canIntrospect !== undefined) {
    if (input.canIntrospect !== null && typeof input.canIntrospect !== 'boolean')
      throw new InputError('canIntrospect', 'must be a boolean');
    out.canIntrospect = input.canIntrospect;
  }
  if (input.tokenExchangeClients !== undefined) {
    const list = input.tokenExchangeClients ?? [];
    if (!Array.isArray(list) || list.length > 50 || !list.every((id) => typeof id === 'string' && CLIENT_ID.test(id))) {
      throw new InputError('tokenExchangeClients', 'must be at most 50 client ids');
    }
    out.tokenExchangeClients = [...new Set(list)];
  }
  return out;
}

/**
 * Whether the client may introspect tokens that are neither its own nor addressed to
 * it. Default: yes for confidential clients an operator created (they were vetted,
 * and this keeps the behaviour before the setting existed), never for dynamically
 * registered ones (anyone may register one on an OPEN tenant).
 */
export function mayIntrospectAny(client: ClientRecord): boolean {
  if (client.clientType !== 'CONFIDENTIAL') return false;
  if (typeof client.canIntrospect === 'boolean') return client.canIntrospect;
  return !client.registrationTokenHash;
}

/**
 * RFC 8693 section 5 / Keycloak: who may exchange a token issued to `owner` with
 * audience `audience`. The owner itself; a client the token's audience names; or a
 * client the owner lists in tokenExchangeClients. `owner` null: the owner client is
 * gone, only an audience match is left.
 */
export function mayExchange(
  requester: ClientRecord,
  owner: ClientRecord | null,
  ownerClientId: string,
  audience: readonly string[],
): boolean {
  if (requester.clientId === ownerClientId) return true;
  if (audience.includes(requester.clientId)) return true;
  return !!owner && (owner.tokenExchangeClients ?? []).includes(requester.clientId);
}
