import pino, { type Logger } from 'pino';
import type { Config } from '../config/index.js';
import { Envelope } from '../keys/envelope.js';
import { KeyRings } from '../keys/key-rings.js';
import { ClientDirectory } from '../services/client-directory.js';
import type { Runtime } from '../services/runtime.js';
import type { Store } from '../store/index.js';
import { TenantRegistry } from '../tenancy/tenant-registry.js';

export function createLogger(config: Pick<Config, 'logLevel'>): Logger {
  return pino({ level: config.logLevel, base: { service: 'gatehouse' }, redact: ['req.headers.authorization', 'client_secret', 'password'] });
}

/** Wires the process-wide collaborators. */
export function buildRuntime(config: Config, store: Store, log: Logger = createLogger(config)): Runtime {
  const envelope = new Envelope(config.masterKey, config.previousMasterKeys);
  const tenants = new TenantRegistry(store, config.publicUrl, (err) => log.warn({ err }, 'tenant cache sync failed'));
  return { config, store, envelope, tenants, keyRings: new KeyRings(envelope), clients: new ClientDirectory(), log };
}
