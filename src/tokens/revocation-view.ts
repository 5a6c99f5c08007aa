import { LRUCache } from 'lru-cache';
import { limits } from '../config/defaults.js';
import type { Store } from '../store/index.js';
import type { AccessTokenRecord } from './access-token-record.js';
import type { GrantRecord } from './grant-record.js';
import type { RevocationEntry } from '../store/repos/revocations.js';
import type { TenantContext } from '../tenancy/tenant-context.js';

/** Grant records cached across tenants (immutable but for revocation, which this view knows). */
const GRANT_CACHE = 50_000;
/** Opaque access token records cached across tenants, each until it expires. */
const OPAQUE_CACHE = 50_000;
/** Expired entries are dropped from memory every this many polls. */
const PRUNE_EVERY = 30;
/** About one process in this many sweeps the feed per prune. */
const SWEEP_ONE_IN = 10;

interface TenantRevocations {
  /** Settles when the tenant's current revocations are loaded; entries that arrive earlier merge in. */
  loaded: Promise<void>;
  /** Revoked grant id → until when it matters (ms). */
  grants: Map<string, number>;
  /** Revoked token jti → until when it matters (ms). */
  tokens: Map<string, number>;
  /** Client id → tokens issued before this instant (ms) are revoked. */
  clients: Map<string, number>;
}

/** What a token says about itself that revocation is checked against. */
export interface TokenIdentity {
  jti: string;
  clientId: string;
  /** ms since the epoch (a JWT's iat × 1000, an opaque token's creation time). */
  issuedAt: number;
  grantId: string | null;
}

const matters = (until: number | undefined, now: number): boolean => until !== undefined && until > now;

function merge(s: TenantRevocations, e: Pick<RevocationEntry, 'kind' | 'key' | 'expiresAt' | 'notBefore'>): void {
  const until = new Date(e.expiresAt).getTime();
  if (e.kind === 'grant') s.grants.set(e.key, Math.max(until, s.grants.get(e.key) ?? 0));
  else if (e.kind === 'token') s.tokens.set(e.key, Math.max(until, s.tokens.get(e.key) ?? 0));
  else if (e.kind === 'client' && typeof e.notBefore === 'number') s.clients.set(e.key, Math.max(e.notBefore, s.clients.get(e.key) ?? 0));
}

/**
 * The per-process, per-tenant view of what is revoked, so that validating a token
 * (userinfo, introspection, token exchange) needs no database round trip once a tenant
 * is loaded: revoked grants, revoked token ids (JWT or opaque) and per-client cut-offs,
 * plus caches of grant and opaque token records.
 *
 * Correctness: every revocation is written to the store's revocation feed before the
 * revoked state (store/repos/revocations.ts). The process that revokes applies it here
 * synchronously, before the revoking call returns, so it never accepts a token it has
 * revoked; every other process polls the feed with the tenant cache sync
 * (`GATEHOUSE_CACHE_SYNC_SECONDS`) and applies it within that interval.
 */
export class RevocationView {
  private readonly tenants = new LRUCache<string, TenantRevocations>({ max: limits.tenantCacheSize });
  private readonly grantRecords = new LRUCache<string, { grant: GrantRecord | null }>({ max: GRANT_CACHE });
  private readonly opaqueRecords = new LRUCache<string, AccessTokenRecord>({ max: OPAQUE_CACHE });
  private lastPoll = Date.now();
  private polls = 0;

  /**
   * @param overlapMs how far each poll reaches back before the previous one: covers the
   * writers' clock skew and the time between a record's timestamp and its visibility.
   */
  constructor(
    private readonly store: Store,
    private readonly overlapMs: number,
  ) {
    store.onRevocation((tenantId, entries) => {
      const s = this.stateOf(tenantId);
      for (const e of entries) merge(s, e);
    });
  }

  private stateOf(tenantId: string): TenantRevocations {
    let s = this.tenants.get(tenantId);
    if (s) return s;
    const state: TenantRevocations = { loaded: Promise.resolve(), grants: new Map(), tokens: new Map(), clients: new Map() };
    state.loaded = this.store
      .forTenant(tenantId)
      .revocations.active()
      .then(
        (rows) => {
          for (const r of rows) merge(state, r);
        },
        (err: unknown) => {
          // Loaded again on the next use; the feed already holds whatever was merged in meanwhile.
          if (this.tenants.get(tenantId) === state) this.tenants.delete(tenantId);
          throw err;
        },
      );
    state.loaded.catch(() => undefined);
    this.tenants.set(tenantId, state);
    s = state;
    return s;
  }

  private async ready(tenant: TenantContext): Promise<TenantRevocations> {
    const s = this.stateOf(tenant.id);
    await s.loaded;
    return s;
  }

  /** Whether a token was revoked: by its jti, by its client's cut-off, or through its grant. */
  async isRevoked(tenant: TenantContext, t: TokenIdentity): Promise<boolean> {
    const s = await this.ready(tenant);
    const now = Date.now();
    if (matters(s.tokens.get(t.jti), now)) return true;
    const cut = s.clients.get(t.clientId);
    if (cut !== undefined && t.issuedAt < cut) return true;
    return t.grantId !== null && matters(s.grants.get(t.grantId), now);
  }

  /**
   * The grant, if neither revoked nor expired, nor derived (token exchange) from a grant
   * that is. Its record is read once and cached: a grant never changes except by
   * revocation, which this view tracks itself.
   */
  async activeGrant(tenant: TenantContext, grantId: string): Promise<GrantRecord | null> {
    const s = await this.ready(tenant);
    if (matters(s.grants.get(grantId), Date.now())) return null;
    const key = `${tenant.id}|${grantId}`;
    let hit = this.grantRecords.get(key);
    if (!hit) {
      hit = { grant: await tenant.store.grants.findActive(grantId) };
      this.grantRecords.set(key, hit);
    }
    const now = Date.now();
    if (!hit.grant || new Date(hit.grant.expiresAt).getTime() <= now) return null;
    // A revocation may have arrived while the record was being read.
    if (matters(s.grants.get(grantId), now)) return null;
    const parent = hit.grant.parentGrantId;
    return parent && !(await this.activeGrant(tenant, parent)) ? null : hit.grant;
  }

  /**
   * A grant record carried by something this process already holds (an authorization
   * code stores a copy of its grant), checked against the revocations and cached like a
   * read one: null if revoked or expired.
   */
  async adoptGrant(tenant: TenantContext, grant: GrantRecord): Promise<GrantRecord | null> {
    const s = await this.ready(tenant);
    const now = Date.now();
    if (grant.revokedAt || matters(s.grants.get(grant._id), now) || new Date(grant.expiresAt).getTime() <= now) return null;
    const key = `${tenant.id}|${grant._id}`;
    if (!this.grantRecords.has(key)) this.grantRecords.set(key, { grant });
    return grant;
  }

  /** An opaque access token's record by its hash, if unexpired and not revoked; cached until it expires. */
  async opaqueToken(tenant: TenantContext, hash: string): Promise<AccessTokenRecord | null> {
    const key = `${tenant.id}|${hash}`;
    let rec = this.opaqueRecords.get(key);
    if (!rec) {
      const found = await tenant.store.accessTokens.findActive(hash);
      if (!found) return null;
      rec = found;
      this.opaqueRecords.set(key, rec, { ttl: Math.max(1, new Date(rec.expiresAt).getTime() - Date.now()) });
    }
    if (new Date(rec.expiresAt).getTime() <= Date.now()) return null;
    const revoked = await this.isRevoked(tenant, {
      jti: rec.jti,
      clientId: rec.clientId,
      issuedAt: new Date(rec.createdAt).getTime(),
      grantId: rec.grantId,
    });
    return revoked ? null : rec;
  }

  /** The client's cut-off if this process knows the tenant already (no I/O): token issuance keeps new tokens after it. */
  peekClientCutoff(tenant: TenantContext, clientId: string): number | undefined {
    return this.tenants.peek(tenant.id)?.clients.get(clientId);
  }

  /** One poll of the feed across tenants: applies what other processes revoked to the tenants loaded here. */
  async poll(): Promise<void> {
    const started = Date.now();
    const rows = await this.store.revocationFeed.since(new Date(this.lastPoll - this.overlapMs));
    this.lastPoll = started;
    for (const r of rows) {
      const s = this.tenants.peek(r.tenantId);
      if (s) merge(s, r);
    }
    if (++this.polls % PRUNE_EVERY === 0) {
      this.prune(started);
      if (Math.random() * SWEEP_ONE_IN < 1) await this.store.revocationFeed.sweep(new Date(started));
    }
  }

  private prune(now: number): void {
    for (const s of this.tenants.values()) {
      for (const map of [s.grants, s.tokens]) for (const [k, until] of map) if (until <= now) map.delete(k);
    }
  }
}
