import pino, { type Logger } from 'pino';
import type { Config } from '../config/index.js';
import { Envelope } from '../keys/envelope.js';
import { KeyRings } from '../keys/key-rings.js';
import { ClientDirectory } from '../clients/client-directory.js';
import { RevocationView } from '../tokens/revocation-view.js';
import { UserDirectory } from '../users/user-directory.js';
import { defaultDeliveryPolicy } from '../events/event-delivery.js';
import { EventBus } from '../events/events.js';
import { Outbox } from '../events/outbox.js';
import { LogoutDeliveryQueue } from '../events/logout-delivery.js';
import { ATTEMPT_TIMEOUT_MS, postLogoutToken, RETRY_DELAYS_MS } from '../oidc/end-session/back-channel.js';
import { join } from 'node:path';
import { registerAuditWriter } from '../events/audit.js';
import { useOutboundSettings } from '../outbound/index.js';
import { installTenantLogoutHook } from '../sessions/tenant-logout.js';
import type { Runtime } from '../runtime.js';
import type { Store } from '../store/index.js';
import { TenantRegistry } from '../tenancy/tenant-registry.js';
import { systemClock, type Clock } from '../time/clock.js';

export function createLogger(config: Pick<Config, 'logLevel'>): Logger {
  return pino({
    level: config.logLevel,
    base: { service: 'gatehouse' },
    redact: ['req.headers.authorization', 'client_secret', 'password'],
  });
}

/** Wires the process-wide collaborators (started by boot/start.ts, the composition root). */
export function buildRuntime(config: Config, store: Store, log: Logger = createLogger(config), clock: Clock = systemClock): Runtime {
  useOutboundSettings(config.outbound, (msg) => log.warn(msg));
  const envelope = new Envelope(config.masterKey, config.previousMasterKeys);
  const tenants = new TenantRegistry(store, config.publicUrl, (err) => log.warn({ err }, 'tenant cache sync failed'));
  // Polls reach back well past one interval: a revocation is seen by several polls.
  const revocations = new RevocationView(store, Math.max(10_000, 5 * config.cacheSyncInterval * 1000));
  tenants.onSync(() => revocations.poll());
  // Journaled under the data dir, per database; opened (and stopped processes' journals replayed) in the background.
  const outbox = new Outbox({
    dir: join(config.dataDir, 'outbox'),
    database: store.databaseName,
    maxPending: config.outboxMaxPending,
    writeTimeoutMs: 5_000,
    log,
  });
  void outbox.open();
  const events = new EventBus(
    store,
    envelope,
    tenants,
    log,
    {
      ...defaultDeliveryPolicy(config.webhookRetrySeconds, config.webhookMaxAttempts),
      pollMs: Math.max(1_000, Math.min(15_000, config.webhookRetrySeconds * 1000)),
    },
    outbox,
  );
  // The logout token's POST lives with the protocol rules (oidc/end-session/back-channel.ts).
  const logoutDeliveries = new LogoutDeliveryQueue(store, log, postLogoutToken, {
    retryDelaysMs: RETRY_DELAYS_MS,
    leaseMs: ATTEMPT_TIMEOUT_MS + 5_000,
    pollMs: 1_000,
  });
  const rt: Runtime = {
    config,
    clock,
    store,
    envelope,
    tenants,
    keyRings: new KeyRings(envelope),
    clients: new ClientDirectory(),
    users: new UserDirectory(store, config.cacheSyncInterval * 1000),
    revocations,
    events,
    outbox,
    logoutDeliveries,
    log,
  };
  // A tenant's first request is nearly always followed by JWKS or a token: its keyset is
  // read beside its record (docs/performance.md "Tenant loading"). A failed read is not
  // kept (keys/key-rings.ts); the request that needs the ring reads again.
  tenants.onLoad((store, sentAt) => rt.keyRings.prefetch(store, sentAt));
  registerAuditWriter(rt);
  installTenantLogoutHook(rt);
  return rt;
}
