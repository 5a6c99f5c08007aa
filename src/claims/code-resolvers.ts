import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { SLUG_PATTERN } from '../config/defaults.js';
import type { HookPoint } from '../tenancy/tenant-record.js';

/**
 * Named TypeScript functions a tenant's claim resolvers and hooks refer to, registered
 * from `tenants/<slug>/resolvers.ts` (that tenant only) or `tenants/shared/resolvers.ts`
 * (every tenant) when the process starts. Configuration names a function; a name that
 * is not registered is refused when it is configured (claims/claim-resolvers.ts).
 *
 * The functions see plain views of the user, client and tenant, never the stored
 * records (no password hash, no secrets).
 */
export interface ResolverUser {
  id: string;
  username: string;
  /** The user's stored claims and custom attributes. */
  claims: Record<string, unknown>;
}

export interface ResolverClient {
  clientId: string;
  name: string;
  clientType: 'CONFIDENTIAL' | 'PUBLIC';
  /** Scopes the client may request. */
  scopes: string[];
}

export interface ResolverTenant {
  slug: string;
  issuer: string;
  displayName: string;
}

/** A claim's value for a user and client; null/undefined/''/[]/{} leave the claim out. */
export type CodeClaimResolver = (user: ResolverUser, client: ResolverClient, scopes: string[], tenant: ResolverTenant) => unknown;

/** Nothing (or {}) lets the login through. */
export interface AfterLoginDecision {
  /** Refuse the login; shown to the user, and the authorization ends with access_denied. */
  deny?: string;
  /** Ask for a further step (e.g. 'mfa'); Gatehouse has none built in, so the authorization ends with interaction_required. */
  requireStep?: string;
}
export type AfterLoginHook = (
  user: ResolverUser,
  client: ResolverClient,
  scopes: string[],
  tenant: ResolverTenant,
  login: { amr: string[] },
) => AfterLoginDecision | void | null | Promise<AfterLoginDecision | void | null>;

/** Claims to add or change (null removes one); protocol claims cannot be changed. */
export type IdTokenProcessingHook = (
  claims: Record<string, unknown>,
  user: ResolverUser,
  client: ResolverClient,
  scopes: string[],
  tenant: ResolverTenant,
) => Record<string, unknown> | void | null | Promise<Record<string, unknown> | void | null>;

/**
 * The user's identifier for `sub` (before pairwise hashing, when the client uses
 * pairwise subjects). Synchronous: `sub` is computed wherever a token is checked too.
 */
export type SubGenerator = (user: ResolverUser, client: ResolverClient, tenant: ResolverTenant) => string;

export interface EndedSession {
  sid: string;
  userId: string;
  /** Clients that received tokens in the session. */
  clientIds: string[];
  /** The client that asked for the logout, if known. */
  clientId: string | null;
}
export type AfterEndSessionHook = (session: EndedSession, tenant: ResolverTenant) => void | Promise<void>;

/** What a resolvers module exports as its default export (every member optional). */
export interface CodeResolverModule {
  claims?: Record<string, CodeClaimResolver>;
  afterLogin?: Record<string, AfterLoginHook>;
  idTokenProcessing?: Record<string, IdTokenProcessingHook>;
  subGenerator?: Record<string, SubGenerator>;
  afterEndSession?: Record<string, AfterEndSessionHook>;
}

interface HookFunctions {
  AFTER_LOGIN: AfterLoginHook;
  ID_TOKEN_PROCESSING: IdTokenProcessingHook;
  SUB_GENERATOR: SubGenerator;
  AFTER_END_SESSION: AfterEndSessionHook;
}

const MEMBER: Record<HookPoint, Exclude<keyof CodeResolverModule, 'claims'>> = {
  AFTER_LOGIN: 'afterLogin',
  ID_TOKEN_PROCESSING: 'idTokenProcessing',
  SUB_GENERATOR: 'subGenerator',
  AFTER_END_SESSION: 'afterEndSession',
};

const SHARED = '*';
/** scope (a tenant slug, or SHARED) → the functions registered for it. */
const registry = new Map<string, CodeResolverModule>();

/**
 * Registers a module's functions for one tenant (by slug) or for every tenant. A later
 * registration of the same name replaces the earlier one (a reload of the same file).
 */
export function registerCodeModule(mod: CodeResolverModule, scope: { tenant?: string } = {}): void {
  const key = scope.tenant ?? SHARED;
  const current = registry.get(key) ?? {};
  const merged: CodeResolverModule = { ...current };
  for (const member of ['claims', ...Object.values(MEMBER)] as (keyof CodeResolverModule)[]) {
    const fns = mod[member];
    if (fns === undefined) continue;
    if (!fns || typeof fns !== 'object') throw new Error(`"${member}" must be an object of named functions`);
    for (const [name, fn] of Object.entries(fns)) {
      if (typeof fn !== 'function') throw new Error(`${member}.${name} is not a function`);
    }
    merged[member] = { ...(current[member] ?? {}), ...fns } as never;
  }
  registry.set(key, merged);
}

function lookup<T>(slug: string, pick: (m: CodeResolverModule) => Record<string, T> | undefined, name: string): T | undefined {
  for (const key of [slug, SHARED]) {
    const fns = pick(registry.get(key) ?? {});
    if (fns && Object.prototype.hasOwnProperty.call(fns, name)) return fns[name];
  }
  return undefined;
}

/** The tenant's code claim resolver of that name (its own first, then a shared one). */
export const codeResolver = (slug: string, name: string): CodeClaimResolver | undefined => lookup(slug, (m) => m.claims, name);

/** The tenant's code hook of that name for a hook point. */
export const codeHook = <P extends HookPoint>(slug: string, point: P, name: string): HookFunctions[P] | undefined =>
  lookup(slug, (m) => m[MEMBER[point]] as Record<string, HookFunctions[P]> | undefined, name);

/** Names a tenant may refer to, for the admin API and error messages. */
export function availableCode(slug: string): { claims: string[]; hooks: Record<HookPoint, string[]> } {
  const names = (pick: (m: CodeResolverModule) => Record<string, unknown> | undefined) =>
    [...new Set([slug, SHARED].flatMap((k) => Object.keys(pick(registry.get(k) ?? {}) ?? {})))].sort();
  return {
    claims: names((m) => m.claims),
    hooks: {
      AFTER_LOGIN: names((m) => m.afterLogin),
      ID_TOKEN_PROCESSING: names((m) => m.idTokenProcessing),
      SUB_GENERATOR: names((m) => m.subGenerator),
      AFTER_END_SESSION: names((m) => m.afterEndSession),
    },
  };
}

const CANDIDATES = ['resolvers.js', 'resolvers.mjs', 'resolvers.ts'];

/**
 * Imports a TypeScript module: directly when the process runs under a TypeScript
 * loader (tsx: tests, development), else through tsx's API when it is installed; a
 * compiled resolvers.js next to the .ts needs neither.
 */
async function importModule(file: string): Promise<Record<string, unknown>> {
  const url = pathToFileURL(file).href;
  try {
    return (await import(url)) as Record<string, unknown>;
  } catch (err) {
    if (!file.endsWith('.ts') || (err as { code?: string }).code !== 'ERR_UNKNOWN_FILE_EXTENSION') throw err;
    const specifier = 'tsx/esm/api';
    const tsx = (await import(specifier).catch(() => null)) as { tsImport?: (u: string, parent: string) => Promise<unknown> } | null;
    if (!tsx?.tsImport)
      throw new Error(`${file}: loading TypeScript needs tsx (npm install tsx), or compile it to resolvers.js next to it`, { cause: err });
    return (await tsx.tsImport(url, import.meta.url)) as Record<string, unknown>;
  }
}

function moduleOf(file: string, exports: Record<string, unknown>): CodeResolverModule {
  const mod = (exports.default ?? exports) as unknown;
  if (!mod || typeof mod !== 'object') throw new Error(`${file}: the default export must be an object ({ claims, afterLogin, … })`);
  const known = new Set(['claims', ...Object.values(MEMBER)]);
  const unknown = Object.keys(mod).filter((k) => !known.has(k) && k !== 'default');
  if (unknown.length && exports.default !== undefined)
    throw new Error(`${file}: unknown export member(s) ${unknown.join(', ')}; expected ${[...known].join(', ')}`);
  return mod as CodeResolverModule;
}

/**
 * Loads `<tenantsDir>/shared/resolvers.*` and every `<tenantsDir>/<slug>/resolvers.*`
 * (js before ts). A module that fails to load stops the start: a tenant silently
 * without its resolvers would issue tokens without the claims its clients rely on.
 * Returns the files loaded.
 */
export async function loadCodeResolvers(tenantsDir: string): Promise<string[]> {
  if (!existsSync(tenantsDir)) return [];
  const loaded: string[] = [];
  const dirs = readdirSync(tenantsDir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && (d.name === 'shared' || SLUG_PATTERN.test(d.name)))
    .map((d) => d.name)
    .sort((a, b) => (a === 'shared' ? -1 : b === 'shared' ? 1 : a < b ? -1 : 1));
  for (const dir of dirs) {
    const file = CANDIDATES.map((c) => join(tenantsDir, dir, c)).find((f) => existsSync(f));
    if (!file) continue;
    let exports: Record<string, unknown>;
    try {
      exports = await importModule(file);
      registerCodeModule(moduleOf(file, exports), dir === 'shared' ? {} : { tenant: dir });
    } catch (err) {
      throw new Error(`could not load the code resolvers in ${file}: ${(err as Error).message}`, { cause: err });
    }
    loaded.push(file);
  }
  return loaded;
}

/** Views handed to tenant code. */
export function resolverUser(user: { _id: string; username: string }, claims: Record<string, unknown>): ResolverUser {
  return { id: user._id, username: user.username, claims: structuredClone(claims) };
}

export function resolverClient(client: {
  clientId: string;
  name: string;
  clientType: 'CONFIDENTIAL' | 'PUBLIC';
  scopes: string[];
}): ResolverClient {
  return { clientId: client.clientId, name: client.name, clientType: client.clientType, scopes: [...client.scopes] };
}

export function resolverTenant(tenant: { slug: string; issuer: string; record: { displayName: string } }): ResolverTenant {
  return { slug: tenant.slug, issuer: tenant.issuer, displayName: tenant.record.displayName };
}
