import { randomUUID } from 'node:crypto';
import mongoose, { type Connection, type ConnectOptions, type Model } from 'mongoose';
import { cacheEventModel } from './models/cache-event.js';
import { clientModel } from './models/client.js';
import type { ClientRecord } from '../clients/client-record.js';
import { keysetModel } from './models/keyset.js';
import type { KeysetRecord } from '../keys/keyset-record.js';
import { tenantModel } from './models/tenant.js';
import { tenantSlugModel } from './models/tenant-slug.js';
import { clientDocId } from './doc-ids.js';
import { migrateStore } from './migrations.js';
import type { TenantRecord } from '../tenancy/tenant-record.js';
import { userModel } from './models/user.js';
import type { UserRecord } from '../users/user-record.js';
import { registerModels } from './models/index.js';
import { isDuplicateKey, isStoreUnavailable, mapDuplicate, StoreUnavailableError } from './errors.js';
import { StoreGuard } from './guard.js';
import { guardConnection } from './guarded-operations.js';
import { reconnectIfReachable } from './reconnect.js';
import { resilienceDefaults } from '../config/defaults.js';
import { systemClock, type Clock } from '../time/clock.js';
import { pageBy, type Page, type PageArgs } from './paging.js';
import { consentsRepo } from './repos/consents.js';
import { interactionsRepo } from './repos/interactions.js';
import { loginAttemptsRepo } from './repos/login-attempts.js';
import { loginSessionsRepo } from './repos/login-sessions.js';
import type { EncryptedBlob, SigningKeyRecord } from '../keys/key-record.js';
import { accessTokensRepo } from './repos/access-tokens.js';
import { clientAssertionsRepo } from './repos/client-assertions.js';
import { dpopProofsRepo } from './repos/dpop-proofs.js';
import { codesRepo } from './repos/codes.js';
import { authorizationsRepo } from './repos/authorizations.js';
import { deviceAuthorizationsRepo } from './repos/device-authorizations.js';
import { pushedRequestsRepo } from './repos/pushed-requests.js';
import { refreshTokensRepo } from './repos/refresh-tokens.js';
import { auditEventsRepo } from './repos/audit-events.js';
import { initialAccessTokensRepo } from './repos/initial-access-tokens.js';
import { leasesRepo } from './repos/leases.js';
import { keyPoolRepo } from './repos/key-pool.js';
import { tenantBatchesRepo } from './repos/tenant-batches.js';
import { accessAdminRepo } from './repos/access-admin.js';
import { eventLogRepo, eventsRepo } from './repos/events.js';
import { deliveryQueueRepo, eventDeliveriesRepo } from './repos/event-deliveries.js';
import { logoutDeliveriesRepo, logoutQueueRepo } from './repos/logout-deliveries.js';
import { resourceServersRepo } from './repos/resource-servers.js';
import { onRevocation, revocationFeedRepo, revocationsRepo, type RevocationListener } from './repos/revocations.js';

export type { Page, PageArgs };

export interface StoreOpenOptions {
  /** Longest wait for one operation (GATEHOUSE_DB_TIMEOUT_MS); default config/defaults.ts. */
  timeoutMs?: number;
  /** Told when the database becomes unreachable and reachable again (logging, metrics). */
  onAvailabilityChange?: (state: 'down' | 'up', reason: string) => void;
  /** What expiry filters and timestamps read (the runtime's clock; default the system clock). */
  clock?: Clock;
}

export const newId = (): string => randomUUID();
export { clientDocId };

/** The mongodb driver's client under the store's connection. */
export type DriverClient = ReturnType<Connection['getClient']>;

/** The filter of live tenants (not PENDING creation). */
const LIVE = { state: { $ne: 'PENDING' } } as const;

export type UserChangeListener = (tenantId: string, userId: string) => void;
/** In-process subscribers per connection (= per Store), like the revocation listeners. */
const userListeners = new WeakMap<Connection, Set<UserChangeListener>>();

/**
 * The only code that queries MongoDB. Tenant data is reachable only through
 * `forTenant(tenantId)`: every query it builds carries the tenant id.
 */
export class Store {
  private readonly tenantModel;
  private readonly tenantSlugModel;
  private readonly keysetModel;
  private readonly clientModel;
  private readonly userModel;
  private readonly cacheEventModel;
  /** Told about the driver client now and after every reconnect (command monitoring: tracing, tests). */
  private readonly clientListeners = new Set<(client: DriverClient) => void>();

  private constructor(
    private readonly conn: Connection,
    /** What expiry filters and timestamps read (time/clock.ts); tenant stores and contexts carry it on. */
    readonly clock: Clock,
  ) {
    registerModels(conn);
    this.tenantModel = tenantModel(conn);
    this.tenantSlugModel = tenantSlugModel(conn);
    this.keysetModel = keysetModel(conn);
    this.clientModel = clientModel(conn);
    this.userModel = userModel(conn);
    this.cacheEventModel = cacheEventModel(conn);
  }

  /**
   * Connects (rejecting within about `timeoutMs` when the database cannot be reached) and
   * puts every operation under the guard's time budget (store/guard.ts).
   */
  static async open(uri: string, dbName: string, opts: StoreOpenOptions = {}): Promise<Store> {
    const timeoutMs = opts.timeoutMs ?? resilienceDefaults.dbTimeoutMs;
    const options: ConnectOptions = {
      dbName,
      monitorCommands: true,
      // The guard bounds each operation; these make the driver itself give up soon after,
      // so connections stuck on a frozen server are freed and recovery is noticed early.
      serverSelectionTimeoutMS: timeoutMs,
      connectTimeoutMS: Math.max(timeoutMs * 2, 2_000),
      socketTimeoutMS: Math.max(timeoutMs * 20, 30_000),
      heartbeatFrequencyMS: 2_000,
      // Never queue commands while disconnected to send them later: a request that got
      // its 503 must not have its write carried out behind its back minutes afterwards.
      bufferCommands: false,
      autoIndex: false,
    };
    const conn = mongoose.createConnection(uri, { ...options });
    try {
      await conn.asPromise();
    } catch (err) {
      await conn.close().catch(() => undefined);
      throw isStoreUnavailable(err) ? new StoreUnavailableError((err as Error).name) : err;
    }
    const store = new Store(conn, opts.clock ?? systemClock);
    store.guard = new StoreGuard(conn, {
      timeoutMs,
      probeIntervalMs: resilienceDefaults.dbProbeIntervalMs,
      reconnectAfterMs: resilienceDefaults.dbReconnectAfterMs,
      reconnect: () =>
        reconnectIfReachable({ conn, uri, options, timeoutMs, onClient: (client) => store.clientListeners.forEach((l) => l(client)) }),
      onChange: (state, reason) => opts.onAvailabilityChange?.(state, reason),
    });
    guardConnection(conn, store.guard);
    return store;
  }

  /** The database's name (MONGODB_DATABASE), e.g. to keep per-database files apart. */
  get databaseName(): string {
    return this.conn.name;
  }

  /**
   * Calls `listener` with the driver client now and with each new one after a reconnect
   * (store/reconnect.ts), for command monitoring (the store opens with monitorCommands):
   * tracing spans, and the tests' command counter. Returns the unsubscribe function.
   */
  onDriverClient(listener: (client: DriverClient) => void): () => void {
    this.clientListeners.add(listener);
    listener(this.conn.getClient());
    return () => this.clientListeners.delete(listener);
  }

  /**
   * Creates the indexes every model declares (unique ones enforce tenant scoping rules).
   * On FerretDB 1.24 only the unique ones: it answers every query but by `_id` with a
   * scan whatever indexes exist, yet updates each index on every write (an event insert
   * would maintain five that no query uses).
   */
  async ensureIndexes(): Promise<void> {
    const ferretDb = await this.isFerretDb();
    await migrateStore(this.conn, 'indexes');
    for (const model of Object.values(this.conn.models)) {
      if (!ferretDb) {
        await model.createIndexes();
        continue;
      }
      for (const [fields, options] of model.schema.indexes()) {
        if (options?.unique) await model.collection.createIndex(fields as Record<string, 1 | -1>, options as Record<string, unknown>);
      }
    }
  }

  /**
   * Brings records of an older shape to the current `_id` scheme (store/migrations.ts):
   * idempotent, safe with several replicas at once, and crash-safe. Run at start by the
   * process that sets the database up, after `ensureIndexes`.
   */
  async migrate(): Promise<{ tenantSlugs: number; clients: number }> {
    return migrateStore(this.conn, 'records');
  }

  /** Whether the server is FerretDB (its buildInfo says so). */
  async isFerretDb(): Promise<boolean> {
    const info = await this.conn.db!.admin().command({ buildInfo: 1 });
    return typeof info.ferretdbVersion === 'string';
  }

  async ping(): Promise<void> {
    await this.conn.db!.command({ ping: 1 });
  }

  /** Time budget and circuit breaker of every operation (store/guard.ts). */
  guard: StoreGuard | undefined;

  async close(): Promise<void> {
    await this.guard?.close();
    await this.conn.close();
  }

  // ---- tenants (the platform level: the tenant documents themselves) ----

  readonly tenants = {
    // Live tenants only: a PENDING one (being created) is invisible to every reader but its creator.
    // Two `_id` lookups (slug link, then the tenant): no query on `slug`, which FerretDB
    // answers by scanning every tenant (docs/architecture.md "How a tenant loads").
    /** The id of the tenant a slug links to, if any (one read by `_id`); `findById` then reads the record. */
    idOfSlug: async (slug: string): Promise<string | null> =>
      (await this.tenantSlugModel.findOne({ _id: slug }).lean<{ tenantId: string }>().exec())?.tenantId ?? null,
    findBySlug: async (slug: string): Promise<TenantRecord | null> => {
      const id = await this.tenants.idOfSlug(slug);
      const record = id ? await this.tenants.findById(id) : null;
      // A link left by a deleted tenant, or one a newer creation has not yet overwritten.
      return record?.slug === slug ? record : null;
    },
    findById: (id: string): Promise<TenantRecord | null> =>
      this.tenantModel
        .findOne({ _id: id, ...LIVE })
        .lean<TenantRecord>()
        .exec(),
    findByIds: (ids: readonly string[]): Promise<TenantRecord[]> =>
      this.tenantModel
        .find({ _id: { $in: ids }, ...LIVE })
        .lean<TenantRecord[]>()
        .exec(),
    /** The record holding a slug, live or PENDING (createTenant decides what to do with it). */
    findAnyBySlug: (slug: string): Promise<TenantRecord | null> => this.tenantModel.findOne({ slug }).lean<TenantRecord>().exec(),
    /** Removes a PENDING record if its operation is still `operationId` (one remover wins). */
    deletePending: async (id: string, operationId: string): Promise<boolean> =>
      (await this.tenantModel.deleteOne({ _id: id, state: 'PENDING', 'pending.operationId': operationId })).deletedCount === 1,
    /** Extends a PENDING tenant's time, if its operation is still `operationId`. */
    renewPending: async (id: string, operationId: string, until: Date): Promise<boolean> =>
      (
        await this.tenantModel.updateOne(
          { _id: id, state: 'PENDING', 'pending.operationId': operationId },
          { $set: { 'pending.until': until } },
        )
      ).matchedCount === 1,
    /** Makes a PENDING tenant live, if its operation is still `operationId`; null otherwise. */
    activate: (id: string, operationId: string): Promise<TenantRecord | null> =>
      this.tenantModel
        .findOneAndUpdate(
          { _id: id, state: 'PENDING', 'pending.operationId': operationId },
          { $unset: { state: 1, pending: 1 }, $inc: { revision: 1 }, $set: { updatedAt: this.clock.date() } },
          { returnDocument: 'after' },
        )
        .lean<TenantRecord>()
        .exec(),
    /** PENDING tenants whose creator's time ran out before `now`. */
    stalePending: (now = this.clock.date()): Promise<TenantRecord[]> =>
      this.tenantModel
        .find({ state: 'PENDING', 'pending.until': { $lt: now } })
        .lean<TenantRecord[]>()
        .exec(),
    list: (args: PageArgs, filter: { slugPrefix?: string; search?: string } = {}): Promise<Page<TenantRecord>> => {
      const q: Record<string, unknown> = { ...LIVE };
      if (filter.slugPrefix) q.slug = { $regex: `^${escapeRegex(filter.slugPrefix)}` };
      if (filter.search) q.displayName = { $regex: escapeRegex(filter.search), $options: 'i' };
      return pageBy(this.tenantModel, q, 'slug', args);
    },
    /**
     * The tenant (its unique slug index decides who gets a slug), then its slug link. A
     * crash between the two leaves a PENDING tenant without a link: it is never served and
     * is swept (tenancy/tenant-creation.ts); whoever creates the slug again writes the link.
     */
    insert: async (record: TenantRecord): Promise<void> => {
      await mapDuplicate('tenants', async () => {
        await this.tenantModel.collection.insertOne(record as never);
      });
      await this.tenantSlugModel.collection.updateOne({ _id: record.slug as never }, { $set: { tenantId: record._id } }, { upsert: true });
    },
    /**
     * Applies a change and bumps the revision in one atomic update. With `ifRevision`,
     * only if nobody changed the tenant since that revision was read (null otherwise).
     */
    update: (id: string, set: Record<string, unknown>, ifRevision?: number): Promise<TenantRecord | null> =>
      this.tenantModel
        .findOneAndUpdate(
          ifRevision === undefined ? { _id: id } : { _id: id, revision: ifRevision },
          { $set: { ...set, updatedAt: this.clock.date() }, $inc: { revision: 1 } },
          { returnDocument: 'after' },
        )
        .lean<TenantRecord>()
        .exec(),
    bumpRevision: (id: string): Promise<TenantRecord | null> =>
      this.tenantModel
        .findOneAndUpdate({ _id: id }, { $inc: { revision: 1 }, $set: { updatedAt: this.clock.date() } }, { returnDocument: 'after' })
        .lean<TenantRecord>()
        .exec(),
    delete: async (id: string): Promise<boolean> => (await this.tenantModel.deleteOne({ _id: id })).deletedCount === 1,
    count: (): Promise<number> => this.tenantModel.countDocuments({ ...LIVE }).exec(),
    /** Tenants with automatic key rotation on (settings.keyRotationDays > 0). */
    withKeyRotation: (): Promise<TenantRecord[]> =>
      this.tenantModel
        .find({ 'settings.keyRotationDays': { $gt: 0 }, ...LIVE })
        .lean<TenantRecord[]>()
        .exec(),
  };

  /** The admin audit trail (platform-wide; outlives tenants). */
  get auditEvents() {
    return (this.platformRepos.auditEvents ??= auditEventsRepo(this.conn));
  }

  /** Expiring named leases shared by replicas (background jobs). */
  get leases() {
    return (this.platformRepos.leases ??= leasesRepo(this.conn, this.clock));
  }

  /** Pre-generated key pairs waiting for new tenants (platform level, keys/key-pool.ts). */
  get keyPool() {
    return (this.platformRepos.keyPool ??= keyPoolRepo(this.conn));
  }

  /** Reads over an explicit list of tenants, for the admin API's batching loaders. */
  get tenantBatches() {
    return (this.platformRepos.tenantBatches ??= tenantBatchesRepo(this.conn));
  }

  /** Due event deliveries of every tenant (the delivery worker's queue). */
  get deliveryQueue() {
    return (this.platformRepos.deliveryQueue ??= deliveryQueueRepo(this.conn, this.clock));
  }

  /** Due back-channel logout deliveries of every tenant (their worker's queue). */
  get logoutQueue() {
    return (this.platformRepos.logoutQueue ??= logoutQueueRepo(this.conn, this.clock));
  }

  /** Events of several tenants written in one round trip (each record names its tenant). */
  get eventLog() {
    return (this.platformRepos.eventLog ??= eventLogRepo(this.conn));
  }

  /** Revocations of every tenant by time, for each process's revocation view to poll. */
  get revocationFeed() {
    return (this.platformRepos.revocationFeed ??= revocationFeedRepo(this.conn, this.clock));
  }

  /** Called in this process for every revocation recorded through this store, before the revoking call returns. */
  onRevocation(listener: RevocationListener): () => void {
    return onRevocation(this.conn, listener);
  }

  /** Called in this process after every user update or deletion made through this store (cache eviction). */
  onUserChange(listener: UserChangeListener): () => void {
    let set = userListeners.get(this.conn);
    if (!set) userListeners.set(this.conn, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  }

  private readonly platformRepos: {
    revocationFeed?: ReturnType<typeof revocationFeedRepo>;
    eventLog?: ReturnType<typeof eventLogRepo>;
    deliveryQueue?: ReturnType<typeof deliveryQueueRepo>;
    logoutQueue?: ReturnType<typeof logoutQueueRepo>;
    auditEvents?: ReturnType<typeof auditEventsRepo>;
    leases?: ReturnType<typeof leasesRepo>;
    keyPool?: ReturnType<typeof keyPoolRepo>;
    tenantBatches?: ReturnType<typeof tenantBatchesRepo>;
  } = {};

  /** Deployment-wide secrets, sealed under the master key (platform level, not tenant data). */
  readonly platformSecrets = {
    get: async (id: string): Promise<EncryptedBlob | null> => {
      const doc = await this.conn.db!.collection<{ _id: string; sealed: EncryptedBlob }>('platform_secrets').findOne({ _id: id });
      return doc?.sealed ?? null;
    },
    /** First writer wins (unique _id); returns what is stored afterwards. */
    insertIfAbsent: async (id: string, sealed: EncryptedBlob): Promise<EncryptedBlob> => {
      const coll = this.conn.db!.collection<{ _id: string; sealed: EncryptedBlob }>('platform_secrets');
      try {
        await coll.insertOne({ _id: id, sealed });
        return sealed;
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
        return (await coll.findOne({ _id: id }))!.sealed;
      }
    },
    replace: async (id: string, sealed: EncryptedBlob): Promise<void> => {
      await this.conn
        .db!.collection<{ _id: string; sealed: EncryptedBlob }>('platform_secrets')
        .updateOne({ _id: id }, { $set: { sealed } });
    },
  };

  readonly cacheEvents = {
    /** Returns the event id, so the publisher can recognise its own event when it polls. */
    publish: async (tenantId: string, slug: string): Promise<string> => {
      const id = newId();
      await this.cacheEventModel.collection.insertOne({ _id: id, tenant: tenantId, slug, at: this.clock.date() } as never);
      return id;
    },
    since: (at: Date): Promise<{ _id: string; slug: string; at: Date }[]> =>
      this.cacheEventModel
        .find({ at: { $gt: at } }, { slug: 1, at: 1 })
        .sort({ at: 1 })
        .lean<{ _id: string; slug: string; at: Date }[]>()
        .exec(),
    sweep: async (before: Date): Promise<void> => {
      await this.cacheEventModel.deleteMany({ at: { $lt: before } });
    },
  };

  forTenant(tenantId: string): TenantStore {
    if (!tenantId) throw new Error('a tenant id is required');
    return new TenantStore(tenantId, this.conn, this.clock);
  }
}

/**
 * Data of one tenant. Every query adds `tenantId`; there is no way to omit it.
 * Repositories for further collections live in store/repos/<name>.ts as a factory
 * `(ts: TenantStore) => {...}` that filters with `ts.scoped(...)`, and are exposed
 * here through a getter that calls `this.repo(name, factory)`.
 */
export class TenantStore {
  private readonly keysetModel: Model<KeysetRecord>;
  private readonly clientModel: Model<ClientRecord>;
  private readonly userModel: Model<UserRecord>;
  private readonly repos = new Map<string, unknown>();

  constructor(
    readonly tenantId: string,
    /** For repositories in store/repos/ only. */
    readonly conn: Connection,
    /** The store's clock: repositories read "now" from it (expiry filters, timestamps). */
    readonly clock: Clock = systemClock,
  ) {
    this.keysetModel = keysetModel(conn);
    this.clientModel = clientModel(conn);
    this.userModel = userModel(conn);
  }

  private userChanged(userId: string): void {
    for (const listener of userListeners.get(this.conn) ?? []) listener(this.tenantId, userId);
  }

  /** A filter that always carries this tenant's id. */
  scoped<T extends Record<string, unknown>>(filter: T): T & { tenantId: string } {
    return { ...filter, tenantId: this.tenantId };
  }

  protected repo<R>(name: string, factory: (ts: TenantStore) => R): R {
    let r = this.repos.get(name) as R | undefined;
    if (r === undefined) {
      r = factory(this);
      this.repos.set(name, r);
    }
    return r;
  }

  get interactions() {
    return this.repo('interactions', interactionsRepo);
  }
  get loginSessions() {
    return this.repo('loginSessions', loginSessionsRepo);
  }
  get consents() {
    return this.repo('consents', consentsRepo);
  }
  get loginAttempts() {
    return this.repo('loginAttempts', loginAttemptsRepo);
  }
  get initialAccessTokens() {
    return this.repo('initialAccessTokens', initialAccessTokensRepo);
  }
  get accessAdmin() {
    return this.repo('accessAdmin', accessAdminRepo);
  }
  get events() {
    return this.repo('events', eventsRepo);
  }
  get eventDeliveries() {
    return this.repo('eventDeliveries', eventDeliveriesRepo);
  }
  get revocations() {
    return this.repo('revocations', revocationsRepo);
  }
  get logoutDeliveries() {
    return this.repo('logoutDeliveries', logoutDeliveriesRepo);
  }

  /** Authorizations (the tokens domain's; stored as `grants`). */
  get authorizations() {
    return this.repo('authorizations', authorizationsRepo);
  }
  get codes() {
    return this.repo('codes', codesRepo);
  }
  get refreshTokens() {
    return this.repo('refreshTokens', refreshTokensRepo);
  }
  get accessTokens() {
    return this.repo('accessTokens', accessTokensRepo);
  }
  get clientAssertions() {
    return this.repo('clientAssertions', clientAssertionsRepo);
  }
  get resourceServers() {
    return this.repo('resourceServers', resourceServersRepo);
  }
  get deviceAuthorizations() {
    return this.repo('deviceAuthorizations', deviceAuthorizationsRepo);
  }
  get pushedRequests() {
    return this.repo('pushedRequests', pushedRequestsRepo);
  }
  get dpopProofs() {
    return this.repo('dpopProofs', dpopProofsRepo);
  }

  readonly keysets = {
    // By _id (it is the tenant id): a keyed lookup even where the server scans other filters.
    get: (): Promise<KeysetRecord | null> =>
      this.keysetModel
        .findOne(this.scoped({ _id: this.tenantId }))
        .lean<KeysetRecord>()
        .exec(),
    create: (keys: SigningKeyRecord[]): Promise<void> =>
      mapDuplicate('keysets', async () => {
        await this.keysetModel.collection.insertOne({ _id: this.tenantId, tenantId: this.tenantId, version: 1, keys } as never);
      }),
    /** Replaces the keys only if nobody else changed them since `version` was read. */
    compareAndSet: async (version: number, keys: SigningKeyRecord[]): Promise<boolean> => {
      const res = await this.keysetModel.collection.updateOne(this.scoped({ version }), {
        $set: { keys, version: version + 1 },
      });
      return res.modifiedCount === 1;
    },
  };

  readonly clients = {
    // By `_id` (store/doc-ids.ts), still scoped: a keyed lookup where other filters scan.
    findByClientId: (clientId: string): Promise<ClientRecord | null> =>
      this.clientModel
        .findOne(this.scoped({ _id: clientDocId(this.tenantId, clientId) }))
        .lean<ClientRecord>()
        .exec(),
    findByClientIds: (clientIds: readonly string[]): Promise<ClientRecord[]> =>
      this.clientModel
        .find(this.scoped({ clientId: { $in: clientIds } }))
        .lean<ClientRecord[]>()
        .exec(),
    list: (args: PageArgs): Promise<Page<ClientRecord>> => pageBy(this.clientModel, this.scoped({}), 'clientId', args),
    /** Up to `limit` client ids that sign ID tokens or userinfo with one of `algs` (a key family change must not strand them). */
    usingSigningAlgs: async (algs: readonly string[], limit = 5): Promise<string[]> => {
      if (algs.length === 0) return [];
      // The metadata JSON is written by JSON.stringify (no spaces), clients/client-userinfo-metadata.ts.
      const userinfo = `"userinfo_signed_response_alg":"(${algs.map((a) => escapeRegex(a)).join('|')})"`;
      const docs = await this.clientModel
        .find(this.scoped({ $or: [{ idTokenSignedResponseAlg: { $in: [...algs] } }, { metadata: { $regex: userinfo } }] }), { clientId: 1 })
        .sort({ clientId: 1 })
        .limit(limit)
        .lean<{ clientId: string }[]>()
        .exec();
      return docs.map((d) => d.clientId);
    },
    /** The `_id` is the store's (clientDocId): a second client with the same client id is a duplicate key. */
    insert: (record: Omit<ClientRecord, 'tenantId' | '_id'>): Promise<ClientRecord> =>
      mapDuplicate('clients', async () => {
        const doc = { ...record, _id: clientDocId(this.tenantId, record.clientId), tenantId: this.tenantId };
        await this.clientModel.collection.insertOne(doc as never);
        return doc;
      }),
    update: (clientId: string, set: Partial<ClientRecord>): Promise<ClientRecord | null> =>
      this.clientModel
        .findOneAndUpdate(
          this.scoped({ _id: clientDocId(this.tenantId, clientId) }),
          { $set: { ...set, updatedAt: this.clock.date() } },
          { returnDocument: 'after' },
        )
        .lean<ClientRecord>()
        .exec(),
    delete: async (clientId: string): Promise<boolean> =>
      (await this.clientModel.deleteOne(this.scoped({ _id: clientDocId(this.tenantId, clientId) }))).deletedCount === 1,
  };

  readonly users = {
    findById: (id: string): Promise<UserRecord | null> =>
      this.userModel
        .findOne(this.scoped({ _id: id }))
        .lean<UserRecord>()
        .exec(),
    findByIds: (ids: readonly string[]): Promise<UserRecord[]> =>
      this.userModel
        .find(this.scoped({ _id: { $in: ids } }))
        .lean<UserRecord[]>()
        .exec(),
    findByUsername: (username: string): Promise<UserRecord | null> =>
      this.userModel
        .findOne(this.scoped({ usernameKey: username.toLowerCase() }))
        .lean<UserRecord>()
        .exec(),
    list: (args: PageArgs, filter: { usernamePrefix?: string; email?: string } = {}): Promise<Page<UserRecord>> => {
      const q: Record<string, unknown> = {};
      if (filter.usernamePrefix) q.usernameKey = { $regex: `^${escapeRegex(filter.usernamePrefix.toLowerCase())}` };
      if (filter.email) q.email = filter.email.toLowerCase();
      return pageBy(this.userModel, this.scoped(q), 'usernameKey', args);
    },
    insert: (record: Omit<UserRecord, 'tenantId'>): Promise<UserRecord> =>
      mapDuplicate('users', async () => {
        const doc = { ...record, tenantId: this.tenantId };
        await this.userModel.collection.insertOne(doc as never);
        return doc;
      }),
    update: (id: string, set: Partial<UserRecord>): Promise<UserRecord | null> =>
      mapDuplicate('users', () =>
        this.userModel
          .findOneAndUpdate(this.scoped({ _id: id }), { $set: { ...set, updatedAt: this.clock.date() } }, { returnDocument: 'after' })
          .lean<UserRecord>()
          .exec(),
      ).finally(() => this.userChanged(id)),
    delete: async (id: string): Promise<boolean> => {
      try {
        return (await this.userModel.deleteOne(this.scoped({ _id: id }))).deletedCount === 1;
      } finally {
        this.userChanged(id);
      }
    },
  };

  /**
   * Removes everything the tenant owns (tenant deletion cascades): every collection of
   * the connection whose documents carry a tenantId.
   */
  async deleteAll(): Promise<void> {
    const filter = this.scoped({});
    await Promise.all(
      Object.values(this.conn.models)
        .filter((m) => m.schema.path('tenantId'))
        .map((m) => m.deleteMany(filter)),
    );
  }
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
