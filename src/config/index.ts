import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { parseAllowList } from '../outbound/allow-list.js';
import type { OutboundSettings } from '../outbound/policy.js';
import { extensionDefaults, keyPoolDefaults, outboundDefaults, resilienceDefaults, securityDefaults } from './defaults.js';

/** A configuration problem, always naming the environment variable at fault. */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
    this.name = 'ConfigError';
  }
}

export interface Config {
  port: number;
  /** Externally visible base URL without a trailing slash. */
  publicUrl: string;
  /** Unset: the embedded development database is started (docs/databases.md). */
  mongodbUri: string | undefined;
  /** Database name used when the URI names none. */
  mongodbDatabase: string;
  masterKey: Buffer;
  /** Older master keys still accepted for decryption while data is re-encrypted. */
  previousMasterKeys: Buffer[];
  /** True when the master key was generated into the data folder (development only). */
  masterKeyGenerated: boolean;
  adminClientId: string | undefined;
  adminClientSecret: string | undefined;
  dataDir: string;
  production: boolean;
  logLevel: string;
  /** Create the demo tenant from tenants/demo.yaml at start. */
  demoTenant: boolean;
  /** Seconds between polls for changes made by other replicas. */
  cacheSyncInterval: number;
  trustProxy: boolean;
  /** First retry delay of event webhook deliveries, doubling (config/defaults.ts extensionDefaults). */
  webhookRetrySeconds: number;
  webhookMaxAttempts: number;
  /** Events and audit records that may wait for the database (events/outbox.ts); more are dropped. */
  outboxMaxPending: number;
  /** The outbound-request policy (src/outbound/, docs/security.md). */
  outbound: OutboundSettings;
  /** Longest accepted client assertion lifetime, seconds (config/defaults.ts securityDefaults). */
  clientAssertionMaxLifetime: number;
  /** When set, GET /metrics needs `Authorization: Bearer <token>` (docs/security.md "Metrics"). */
  metricsToken: string | undefined;
  /** When set, /metrics is served only on this port (a separate listener), not on PORT. */
  metricsPort: number | undefined;
  /** Longest wait for one database operation before a 503 (GATEHOUSE_DB_TIMEOUT_MS). */
  dbTimeoutMs: number;
  /** How long to keep trying to reach the database at start; 0 = forever (GATEHOUSE_DB_START_TIMEOUT_SECONDS). */
  dbStartTimeoutSeconds: number;
  /** node:http headersTimeout (HTTP_HEADERS_TIMEOUT_MS). */
  httpHeadersTimeoutMs: number;
  /** node:http requestTimeout (HTTP_REQUEST_TIMEOUT_MS). */
  httpRequestTimeoutMs: number;
  /** New tenants' worth of pre-generated key pairs kept ready; 0 = no pool (GATEHOUSE_KEY_POOL_TENANTS, keys/key-pool.ts). */
  keyPoolTenants: number;
}

const base64Key = (variable: string) =>
  z.string().transform((value, ctx) => {
    const text = value.trim();
    const buf = Buffer.from(text, 'base64');
    if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(text) || buf.length !== 32) {
      ctx.addIssue({
        code: 'custom',
        message: `${variable} must be base64 of exactly 32 bytes (generate one with: openssl rand -base64 32)`,
      });
      return z.NEVER;
    }
    return buf;
  });

const bool = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.enum(['1', '0', 'true', 'false', 'yes', 'no', 'on', 'off']))
  .transform((v) => ['1', 'true', 'yes', 'on'].includes(v));

const fields = {
  PORT: z.coerce.number().int().min(0).max(65535),
  PUBLIC_URL: z.string().superRefine((u, ctx) => {
    let url: URL;
    try {
      url = new URL(u);
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be an absolute http(s) URL, e.g. https://id.example.com' });
      return;
    }
    if (!/^https?:$/.test(url.protocol)) ctx.addIssue({ code: 'custom', message: 'must be an http(s) URL' });
    if (url.search || url.hash) ctx.addIssue({ code: 'custom', message: 'must not have a query or fragment' });
  }),
  MONGODB_URI: z.string().regex(/^mongodb(\+srv)?:\/\//, 'must start with mongodb:// or mongodb+srv://'),
  MONGODB_DATABASE: z.string().regex(/^[A-Za-z0-9_-]{1,63}$/, 'must be a plain database name'),
  GATEHOUSE_MASTER_KEY: base64Key('GATEHOUSE_MASTER_KEY'),
  GATEHOUSE_MASTER_KEY_PREVIOUS: z.string(),
  GATEHOUSE_ADMIN_CLIENT_ID: z.string().regex(/^[A-Za-z0-9._~-]{3,128}$/, 'must be 3-128 characters of A-Z a-z 0-9 . _ ~ -'),
  GATEHOUSE_ADMIN_CLIENT_SECRET: z.string().min(16, 'must be at least 16 characters').max(512),
  GATEHOUSE_DATA_DIR: z.string().min(1),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
  GATEHOUSE_DEMO_TENANT: bool,
  GATEHOUSE_CACHE_SYNC_SECONDS: z.coerce.number().min(0.1).max(300),
  TRUST_PROXY: bool,
  GATEHOUSE_WEBHOOK_RETRY_SECONDS: z.coerce.number().min(0.01).max(3600),
  GATEHOUSE_WEBHOOK_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(20),
  GATEHOUSE_OUTBOX_MAX_PENDING: z.coerce.number().int().min(1).max(10_000_000),
  GATEHOUSE_OUTBOUND_ALLOW: z.string(),
  GATEHOUSE_OUTBOUND_ALLOW_LOOPBACK: bool,
  GATEHOUSE_OUTBOUND_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000),
  GATEHOUSE_OUTBOUND_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(16 * 1024 * 1024),
  GATEHOUSE_CLIENT_ASSERTION_MAX_LIFETIME_SECONDS: z.coerce.number().int().min(10).max(3600),
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').max(512),
  METRICS_PORT: z.coerce.number().int().min(0).max(65535),
  GATEHOUSE_DB_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000),
  GATEHOUSE_DB_START_TIMEOUT_SECONDS: z.coerce.number().min(0).max(86_400),
  HTTP_HEADERS_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(600_000),
  HTTP_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(3_600_000),
  GATEHOUSE_KEY_POOL_TENANTS: z.coerce.number().int().min(0).max(1_000),
} as const;

type Fields = typeof fields;
type Parsed = { [K in keyof Fields]?: z.output<Fields[K]> };

function parseField<K extends keyof Fields>(name: K, raw: string | undefined): Parsed[K] {
  if (raw === undefined || raw === '') return undefined;
  const result = fields[name].safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new ConfigError(name, issue?.message ?? 'invalid value');
  }
  return result.data as Parsed[K];
}

/** Reads and validates the environment; throws ConfigError naming the variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const p: Parsed = {};
  for (const name of Object.keys(fields) as (keyof Fields)[]) {
    (p as Record<string, unknown>)[name] = parseField(name, env[name]);
  }
  const production = env.NODE_ENV === 'production';
  const port = p.PORT ?? 3000;
  const publicUrl = (p.PUBLIC_URL ?? `http://localhost:${port}`).replace(/\/+$/, '');
  const dataDir = resolve(p.GATEHOUSE_DATA_DIR ?? './.data');

  if ((p.GATEHOUSE_ADMIN_CLIENT_ID === undefined) !== (p.GATEHOUSE_ADMIN_CLIENT_SECRET === undefined)) {
    const missing = p.GATEHOUSE_ADMIN_CLIENT_ID === undefined ? 'GATEHOUSE_ADMIN_CLIENT_ID' : 'GATEHOUSE_ADMIN_CLIENT_SECRET';
    throw new ConfigError(missing, 'GATEHOUSE_ADMIN_CLIENT_ID and GATEHOUSE_ADMIN_CLIENT_SECRET must be set together');
  }
  const httpHeadersTimeoutMs = p.HTTP_HEADERS_TIMEOUT_MS ?? resilienceDefaults.headersTimeoutMs;
  const httpRequestTimeoutMs = p.HTTP_REQUEST_TIMEOUT_MS ?? resilienceDefaults.requestTimeoutMs;
  // node:http refuses a headersTimeout above the requestTimeout.
  if (httpHeadersTimeoutMs > httpRequestTimeoutMs) {
    throw new ConfigError('HTTP_HEADERS_TIMEOUT_MS', `must not exceed HTTP_REQUEST_TIMEOUT_MS (${httpRequestTimeoutMs})`);
  }

  let masterKey: Buffer | undefined = p.GATEHOUSE_MASTER_KEY as Buffer | undefined;
  let masterKeyGenerated = false;
  if (!masterKey) {
    if (production) throw new ConfigError('GATEHOUSE_MASTER_KEY', 'is required when NODE_ENV=production');
    masterKey = developmentMasterKey(dataDir);
    masterKeyGenerated = true;
  }
  const previousMasterKeys = (p.GATEHOUSE_MASTER_KEY_PREVIOUS ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => {
      const r = base64Key('GATEHOUSE_MASTER_KEY_PREVIOUS').safeParse(s);
      if (!r.success) throw new ConfigError('GATEHOUSE_MASTER_KEY_PREVIOUS', 'must be a comma-separated list of base64 32-byte keys');
      return r.data;
    });

  return {
    outbound: outboundConfig(p, env.NODE_ENV),
    port,
    publicUrl,
    mongodbUri: p.MONGODB_URI,
    mongodbDatabase: p.MONGODB_DATABASE ?? 'gatehouse',
    masterKey: masterKey as Buffer,
    previousMasterKeys,
    masterKeyGenerated,
    adminClientId: p.GATEHOUSE_ADMIN_CLIENT_ID,
    adminClientSecret: p.GATEHOUSE_ADMIN_CLIENT_SECRET,
    dataDir,
    production,
    logLevel: p.LOG_LEVEL ?? (env.NODE_ENV === 'test' ? 'silent' : 'info'),
    demoTenant: p.GATEHOUSE_DEMO_TENANT ?? p.MONGODB_URI === undefined,
    cacheSyncInterval: p.GATEHOUSE_CACHE_SYNC_SECONDS ?? 2,
    trustProxy: p.TRUST_PROXY ?? false,
    webhookRetrySeconds: p.GATEHOUSE_WEBHOOK_RETRY_SECONDS ?? extensionDefaults.deliveryRetrySeconds,
    webhookMaxAttempts: p.GATEHOUSE_WEBHOOK_MAX_ATTEMPTS ?? extensionDefaults.deliveryMaxAttempts,
    outboxMaxPending: p.GATEHOUSE_OUTBOX_MAX_PENDING ?? 100_000,
    clientAssertionMaxLifetime: p.GATEHOUSE_CLIENT_ASSERTION_MAX_LIFETIME_SECONDS ?? securityDefaults.clientAssertionMaxLifetimeSeconds,
    metricsToken: p.METRICS_TOKEN,
    metricsPort: p.METRICS_PORT,
    dbTimeoutMs: p.GATEHOUSE_DB_TIMEOUT_MS ?? resilienceDefaults.dbTimeoutMs,
    dbStartTimeoutSeconds: p.GATEHOUSE_DB_START_TIMEOUT_SECONDS ?? resilienceDefaults.dbStartTimeoutSeconds,
    httpHeadersTimeoutMs,
    httpRequestTimeoutMs,
    keyPoolTenants: p.GATEHOUSE_KEY_POOL_TENANTS ?? keyPoolDefaults.tenants,
  };
}

/** The outbound policy: the operator's allow-list, the development loopback switch, the bounds. */
function outboundConfig(p: Parsed, nodeEnv: string | undefined): OutboundSettings {
  let allow;
  try {
    allow = parseAllowList(p.GATEHOUSE_OUTBOUND_ALLOW);
  } catch (err) {
    throw new ConfigError(
      'GATEHOUSE_OUTBOUND_ALLOW',
      `${(err as Error).message} (comma-separated host names, *.domain, IP addresses or CIDRs)`,
    );
  }
  const allowLoopback = p.GATEHOUSE_OUTBOUND_ALLOW_LOOPBACK ?? false;
  if (allowLoopback && nodeEnv !== 'test' && nodeEnv !== 'development') {
    throw new ConfigError('GATEHOUSE_OUTBOUND_ALLOW_LOOPBACK', 'is only for development: it needs NODE_ENV=development or NODE_ENV=test');
  }
  return {
    allow,
    allowLoopback,
    timeoutMs: p.GATEHOUSE_OUTBOUND_TIMEOUT_MS ?? outboundDefaults.timeoutMs,
    maxBytes: p.GATEHOUSE_OUTBOUND_MAX_BYTES ?? outboundDefaults.maxBytes,
  };
}

/** Development convenience: a master key generated once into the data folder. */
function developmentMasterKey(dataDir: string): Buffer {
  const file = join(dataDir, 'master.key');
  if (existsSync(file)) {
    const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
    if (key.length !== 32) throw new ConfigError('GATEHOUSE_MASTER_KEY', `unset, and ${file} does not hold a 32-byte base64 key`);
    return key;
  }
  mkdirSync(dataDir, { recursive: true });
  const key = randomBytes(32);
  writeFileSync(file, key.toString('base64') + '\n', { mode: 0o600 });
  return key;
}
