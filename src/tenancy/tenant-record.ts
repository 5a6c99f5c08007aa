import type { TenantSettings } from '../config/defaults.js';
import type { EncryptedBlob } from '../keys/key-record.js';

export interface Branding {
  logoUrl?: string | null;
  primaryColor?: string | null;
}

/**
 * A scope the tenant defines (beyond, or refining, the standard ones): shown in words on
 * the consent page and naming the claims it releases. Kept on the tenant record so that
 * the consent page and claim release read them from the cached tenant context.
 */
export interface ScopeDefinition {
  name: string;
  displayName: string;
  description: string;
  claims: string[];
}

/** Where a resolved claim may go. */
export type ClaimTarget = 'ID_TOKEN' | 'ACCESS_TOKEN' | 'USERINFO';
export type ClaimValueType = 'STRING' | 'BOOLEAN' | 'NUMBER' | 'ARRAY' | 'OBJECT';

/** A MAPPING resolver's source: exactly one of path, template and constant (JSON text). */
export interface ClaimMappingDefinition {
  path?: string | null;
  template?: string | null;
  constant?: string | null;
  type: ClaimValueType;
}

/**
 * How one claim's value is produced for a user and client (claims/pipeline.ts). The
 * claim name is a value here, never a field name: names like `https://example.com/roles`
 * contain dots. A constant is kept as JSON text for the same reason.
 */
export interface ClaimResolverDefinition {
  name: string;
  kind: 'MAPPING' | 'CODE' | 'WEBHOOK';
  targets: ClaimTarget[];
  mapping?: ClaimMappingDefinition | null;
  /** Name of a code resolver registered from tenants/<slug>/resolvers.ts or tenants/shared/resolvers.ts. */
  code?: string | null;
  webhook?: { url: string; timeoutMs: number; cacheTtlSeconds: number } | null;
}

export type HookPoint = 'AFTER_LOGIN' | 'ID_TOKEN_PROCESSING' | 'SUB_GENERATOR' | 'AFTER_END_SESSION';

/** A tenant's code or webhook run at one point of the flow (claims/hooks.ts); at most one per point. */
export interface HookDefinition {
  point: HookPoint;
  kind: 'CODE' | 'WEBHOOK';
  code?: string | null;
  webhook?: { url: string; timeoutMs: number } | null;
  /** AFTER_LOGIN only: refuse the login when the hook fails (default: let it through). */
  failClosed?: boolean;
}

/** A receiver of the tenant's events (events/event-delivery.ts), signed with its own secret. */
export interface EventWebhookDefinition {
  name: string;
  url: string;
  /** Event types delivered; empty = all. */
  eventTypes: string[];
  enabled: boolean;
  /** The HMAC secret, sealed under the master key (it must be readable to sign). */
  secret: EncryptedBlob;
  createdAt: Date;
  secretRotatedAt: Date;
}

export interface TenantRecord {
  _id: string;
  slug: string;
  displayName: string;
  branding: Branding;
  /** Only the settings that differ from config/defaults.ts are stored. */
  settings: Partial<TenantSettings>;
  /** The tenant's scope definitions, ordered by name (absent on records made before they existed). */
  scopes?: ScopeDefinition[];
  /** Custom claim resolvers, hooks and event webhooks: small lists read from the cached context. */
  claimResolvers?: ClaimResolverDefinition[];
  hooks?: HookDefinition[];
  eventWebhooks?: EventWebhookDefinition[];
  /**
   * PENDING while createTenant is still making it (keys, scopes, clients): such a tenant
   * is invisible to every endpoint and list, and a retry or the start-time sweeper
   * removes it if its creator stopped (tenancy/tenants.ts). Absent: the tenant is live.
   */
  state?: 'PENDING';
  /** The creating operation of a PENDING tenant: who may finish it, for what input, until when. */
  pending?: { operationId: string; fingerprint: string; until: Date } | null;
  /** Bumped on every change to the tenant, its keys or its clients: caches key on it. */
  revision: number;
  createdAt: Date;
  updatedAt: Date;
}
