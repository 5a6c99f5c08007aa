import type { Logger } from 'pino';
import type { Config } from './config/index.js';
import type { Envelope } from './keys/envelope.js';
import type { KeyRings } from './keys/key-rings.js';
import type { Store } from './store/index.js';
import type { TenantRegistry } from './tenancy/tenant-registry.js';
import type { ClientDirectory } from './clients/client-directory.js';
import type { EventBus } from './events/events.js';
import type { LogoutDeliveryQueue } from './events/logout-delivery.js';
import type { Outbox } from './events/outbox.js';
import type { RevocationView } from './tokens/revocation-view.js';
import type { UserDirectory } from './users/user-directory.js';

/** The process-wide collaborators, built once in main (or per test) and passed down. */
export interface Runtime {
  config: Config;
  store: Store;
  envelope: Envelope;
  tenants: TenantRegistry;
  keyRings: KeyRings;
  clients: ClientDirectory;
  /** Users for the token, userinfo and introspection endpoints, cached (users/user-directory.ts). */
  users: UserDirectory;
  /** What is revoked, per tenant, in memory (tokens/revocation-view.ts). */
  revocations: RevocationView;
  /** The tenants' events and their delivery to event webhooks (events/events.ts). */
  events: EventBus;
  /** Events and audit records on their way to the database, journaled on disk (events/outbox.ts). */
  outbox: Outbox;
  /** Back-channel logout tokens with their retry schedule in the database (events/logout-delivery.ts). */
  logoutDeliveries: LogoutDeliveryQueue;
  log: Logger;
}
