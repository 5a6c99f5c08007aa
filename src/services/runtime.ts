import type { Logger } from 'pino';
import type { Config } from '../config/index.js';
import type { Envelope } from '../keys/envelope.js';
import type { KeyRings } from '../keys/key-rings.js';
import type { Store } from '../store/index.js';
import type { TenantRegistry } from '../tenancy/tenant-registry.js';
import type { Clock } from '../time/clock.js';
import type { ClientDirectory } from './client-directory.js';
import type { EventBus } from './events.js';
import type { LogoutDeliveryQueue } from './logout-delivery.js';
import type { Outbox } from './outbox.js';
import type { RevocationView } from './revocation-view.js';
import type { UserDirectory } from './user-directory.js';

/** The process-wide collaborators, built once by boot/start.ts (main, the tests, the bench) and passed down. */
export interface Runtime {
  config: Config;
  /** What expiries, schedules and cut-offs read (time/clock.ts); tests advance it. */
  clock: Clock;
  store: Store;
  envelope: Envelope;
  tenants: TenantRegistry;
  keyRings: KeyRings;
  clients: ClientDirectory;
  /** Users for the token, userinfo and introspection endpoints, cached (services/user-directory.ts). */
  users: UserDirectory;
  /** What is revoked, per tenant, in memory (services/revocation-view.ts). */
  revocations: RevocationView;
  /** The tenants' events and their delivery to event webhooks (services/events.ts). */
  events: EventBus;
  /** Events and audit records on their way to the database, journaled on disk (services/outbox.ts). */
  outbox: Outbox;
  /** Back-channel logout tokens with their retry schedule in the database (services/logout-delivery.ts). */
  logoutDeliveries: LogoutDeliveryQueue;
  log: Logger;
}
