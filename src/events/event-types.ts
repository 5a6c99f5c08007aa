import type { TenantContext } from '../tenancy/tenant-context.js';

/**
 * Everything that happens in a tenant and is worth telling its admins and webhooks.
 * The GraphQL enum EventType (schema/events.graphql) lists the same names.
 */
export const EVENT_TYPES = [
  'LOGIN_SUCCESS',
  'LOGIN_FAILURE',
  /** An after-login hook refused the user (or asked for a further step). */
  'LOGIN_DENIED',
  'CONSENT_GIVEN',
  'CONSENT_DECLINED',
  'TOKEN_ISSUED',
  'TOKEN_REVOKED',
  'LOGOUT',
  'KEY_ROTATED',
  'KEY_REVOKED',
  'CLIENT_CHANGED',
  'CLAIM_RESOLVER_FAILED',
  'HOOK_FAILED',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export interface TenantEvent {
  type: EventType;
  userId?: string | null;
  clientId?: string | null;
  /** Details; never a secret, a password or a token. */
  data?: Record<string, unknown>;
}

/** Records events without making the caller wait (events/events.ts). */
export interface EventSink {
  emit(tenant: TenantContext, event: TenantEvent): void;
}
