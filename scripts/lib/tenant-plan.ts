import { isDeepStrictEqual } from 'node:util';
import { resolveClientMetadata } from '../../src/clients/client-metadata.js';
import type { TenantFile, TenantFileClient } from '../../src/tenant-files/tenant-file.js';
import type { AdminApi } from './admin-api.js';
import { planExtensions } from './tenant-plan-extensions.js';
import { planResourceServers } from './tenant-plan-resources.js';
import type { CurrentTenant } from './tenant-state.js';

/**
 * Plan and apply: what must change for a tenant to match its file, as a list of GraphQL
 * mutations. Things the file does not mention (clients, scopes, users) are left alone
 * unless `prune` is asked for; settings and branding follow the file exactly (a setting
 * left out returns to the platform default).
 */
export interface Change {
  /** `+` create, `~` update, `-` delete. */
  op: '+' | '~' | '-';
  kind: 'tenant' | 'scope' | 'claimResolver' | 'hook' | 'eventWebhook' | 'resourceServer' | 'client' | 'user';
  id: string;
  /** Human-readable field changes, `field: old → new`. */
  details: string[];
  mutation: string;
  variables: Record<string, unknown>;
}

export interface PlanOptions {
  prune?: boolean;
}

export const CLIENT_KEYS = [
  'name',
  'redirectUris',
  'postLogoutRedirectUris',
  'grantTypes',
  'responseTypes',
  'scopes',
  'tokenEndpointAuthMethod',
  'idTokenSignedResponseAlg',
  'userinfoSignedResponseAlg',
  'requireConsent',
  'reuseConsent',
  'accessTokenFormat',
  'subjectType',
  'jwksUri',
  'jwks',
  'clientUri',
  'logoUri',
  'tosUri',
  'policyUri',
  'contacts',
  'canIntrospect',
  'tokenExchangeClients',
  'sectorIdentifierUri',
  'requestUris',
  'requestObjectSigningAlg',
  'requirePushedAuthorizationRequests',
  'requireSignedRequestObject',
  'backchannelLogoutUri',
  'backchannelLogoutSessionRequired',
  'frontchannelLogoutUri',
  'frontchannelLogoutSessionRequired',
  'dpopBoundAccessTokens',
] as const;
type ClientKey = (typeof CLIENT_KEYS)[number];

/** A file's client with every default filled in, as the API would store it. */
export function desiredClient(
  c: TenantFileClient,
  settings: TenantFile['settings'] = {},
): Record<ClientKey, unknown> & { clientType: string } {
  // The server's default ID token alg (clients/client-key-families.ts): RS256, or the tenant's signingAlg without RSA keys.
  const defaultAlg = (settings?.keyFamilies ?? ['RSA']).includes('RSA') ? 'RS256' : (settings?.signingAlg ?? 'RS256');
  const m = resolveClientMetadata({
    ...c,
    idTokenSignedResponseAlg: c.idTokenSignedResponseAlg ?? defaultAlg,
    redirectUris: c.redirectUris ?? [],
    accessTokenFormat: c.accessTokenFormat === 'OPAQUE' ? 'opaque' : 'jwt',
  });
  return {
    clientType: m.clientType,
    name: m.name,
    redirectUris: m.redirectUris,
    postLogoutRedirectUris: m.postLogoutRedirectUris,
    grantTypes: m.grantTypes,
    responseTypes: m.responseTypes,
    scopes: m.scopes,
    tokenEndpointAuthMethod: m.tokenEndpointAuthMethod,
    idTokenSignedResponseAlg: m.idTokenSignedResponseAlg,
    userinfoSignedResponseAlg: c.userinfoSignedResponseAlg ?? null,
    requireConsent: m.requireConsent,
    reuseConsent: m.reuseConsent,
    accessTokenFormat: c.accessTokenFormat ?? 'JWT',
    subjectType: c.subjectType ?? null,
    jwksUri: c.jwksUri ?? null,
    jwks: c.jwks ?? null,
    clientUri: c.clientUri ?? null,
    logoUri: c.logoUri ?? null,
    tosUri: c.tosUri ?? null,
    policyUri: c.policyUri ?? null,
    contacts: c.contacts ?? [],
    // The API's defaults for a client it creates (clients/client-policies.ts).
    canIntrospect: c.canIntrospect ?? m.clientType === 'CONFIDENTIAL',
    tokenExchangeClients: c.tokenExchangeClients ?? [],
    sectorIdentifierUri: c.sectorIdentifierUri ?? null,
    requestUris: c.requestUris ?? [],
    requestObjectSigningAlg: c.requestObjectSigningAlg ?? null,
    requirePushedAuthorizationRequests: c.requirePushedAuthorizationRequests ?? false,
    requireSignedRequestObject: c.requireSignedRequestObject ?? false,
    backchannelLogoutUri: c.backchannelLogoutUri ?? null,
    backchannelLogoutSessionRequired: c.backchannelLogoutSessionRequired ?? false,
    frontchannelLogoutUri: c.frontchannelLogoutUri ?? null,
    frontchannelLogoutSessionRequired: c.frontchannelLogoutSessionRequired ?? false,
    dpopBoundAccessTokens: c.dpopBoundAccessTokens ?? false,
  };
}

const show = (v: unknown): string => (v === undefined ? '(default)' : JSON.stringify(v));

function diff(
  before: Record<string, unknown>,
  after: Record<string, unknown>,
  keys: readonly string[],
  prefix = '',
): { changed: Record<string, unknown>; details: string[] } {
  const changed: Record<string, unknown> = {};
  const details: string[] = [];
  for (const k of keys) {
    if (isDeepStrictEqual(before[k], after[k])) continue;
    changed[k] = after[k] === undefined ? null : after[k];
    details.push(`${prefix}${k}: ${show(before[k])} → ${show(after[k])}`);
  }
  return { changed, details };
}

const normalColor = (c: string | undefined | null) => (c ? c.toLowerCase() : null);
const normalUrl = (u: string | undefined | null) => (u ? new URL(u).href : null);

function clientInput(c: TenantFileClient): Record<string, unknown> {
  const { clientId, ...rest } = c;
  return { clientId, ...rest, redirectUris: c.redirectUris ?? [] };
}

/** The changes that make `current` (null: the tenant does not exist yet) match `file`. */
export function planTenant(file: TenantFile, current: CurrentTenant | null, opts: PlanOptions = {}): Change[] {
  const changes: Change[] = [];
  const slug = file.slug;
  if (!current) {
    changes.push({
      op: '+',
      kind: 'tenant',
      id: slug,
      details: [
        `displayName: ${show(file.displayName)}`,
        ...Object.entries(file.settings ?? {}).map(([k, v]) => `settings.${k}: ${show(v)}`),
        ...(file.scopes ?? []).map((s) => `scope ${s.name}`),
        ...(file.clients ?? []).map((c) => `client ${c.clientId} (${c.clientType})`),
      ],
      mutation: `mutation($input: CreateTenantInput!) { createTenant(input: $input) { tenant { slug issuer } clients { client { clientId } clientSecret } } }`,
      variables: {
        input: {
          slug,
          displayName: file.displayName,
          ...(file.branding ? { branding: file.branding } : {}),
          ...(file.settings ? { settings: file.settings } : {}),
          ...(file.scopes ? { scopes: file.scopes } : {}),
          ...(file.clients ? { clients: file.clients.map(clientInput) } : {}),
        },
      },
    });
    // Claim resolvers, hooks and event webhooks follow the tenant (code names are checked by the server).
    changes.push(...planExtensions(file, null, opts));
    changes.push(...planResourceServers(file, null, opts));
    for (const u of file.users ?? []) changes.push(createUserChange(slug, u));
    return changes;
  }

  // The tenant itself: name, branding, settings (overrides only; dropped ones reset).
  const input: Record<string, unknown> = {};
  const details: string[] = [];
  if (current.displayName !== file.displayName) {
    input.displayName = file.displayName;
    details.push(`displayName: ${show(current.displayName)} → ${show(file.displayName)}`);
  }
  const wantBranding = { logoUrl: normalUrl(file.branding?.logoUrl), primaryColor: normalColor(file.branding?.primaryColor) };
  const b = diff(current.branding, wantBranding, ['logoUrl', 'primaryColor'], 'branding.');
  if (b.details.length) {
    input.branding = wantBranding;
    details.push(...b.details);
  }
  const haveSettings = Object.fromEntries(current.overriddenSettings.map((k) => [k, current.settings[k]]));
  const wantSettings = (file.settings ?? {}) as Record<string, unknown>;
  const s = diff(haveSettings, wantSettings, [...new Set([...Object.keys(haveSettings), ...Object.keys(wantSettings)])], 'settings.');
  if (s.details.length) {
    input.settings = s.changed;
    details.push(...s.details);
  }
  if (details.length) {
    changes.push({
      op: '~',
      kind: 'tenant',
      id: slug,
      details,
      mutation: `mutation($slug: String!, $input: UpdateTenantInput!) { updateTenant(slug: $slug, input: $input) { slug } }`,
      variables: { slug, input },
    });
  }

  // Scopes.
  const haveScopes = new Map(current.scopes.map((sc) => [sc.name, sc]));
  for (const sc of file.scopes ?? []) {
    const want = { name: sc.name, displayName: sc.displayName ?? sc.name, description: sc.description ?? '', claims: sc.claims ?? [] };
    const have = haveScopes.get(sc.name);
    if (have && isDeepStrictEqual({ ...have }, want)) continue;
    const d = have ? diff(have, want, ['displayName', 'description', 'claims']).details : [];
    changes.push({
      op: have ? '~' : '+',
      kind: 'scope',
      id: sc.name,
      details: d,
      mutation: `mutation($slug: String!, $input: ScopeInput!) { setScope(tenant: $slug, input: $input) { name } }`,
      variables: { slug, input: want },
    });
  }
  if (opts.prune) {
    const keep = new Set((file.scopes ?? []).map((sc) => sc.name));
    for (const name of haveScopes.keys()) {
      if (!keep.has(name))
        changes.push({
          op: '-',
          kind: 'scope',
          id: name,
          details: [],
          mutation: `mutation($slug: String!, $name: String!) { deleteScope(tenant: $slug, name: $name) }`,
          variables: { slug, name },
        });
    }
  }

  changes.push(...planExtensions(file, current, opts));
  changes.push(...planResourceServers(file, current, opts));

  // Clients.
  const haveClients = new Map(current.clients.map((c) => [c.clientId, c]));
  for (const c of file.clients ?? []) {
    const have = haveClients.get(c.clientId);
    if (!have) {
      changes.push({
        op: '+',
        kind: 'client',
        id: c.clientId,
        details: [`${c.clientType}`],
        mutation: `mutation($slug: String!, $input: CreateClientInput!) { createClient(tenant: $slug, input: $input) { client { clientId } clientSecret } }`,
        variables: { slug, input: clientInput(c) },
      });
      continue;
    }
    const want = desiredClient(c, file.settings);
    if (want.clientType !== have.clientType)
      throw new Error(
        `client ${c.clientId}: clientType cannot change from ${have.clientType} to ${want.clientType}; delete the client first`,
      );
    const d = diff(have as unknown as Record<string, unknown>, want, CLIENT_KEYS);
    if (d.details.length) {
      changes.push({
        op: '~',
        kind: 'client',
        id: c.clientId,
        details: d.details,
        mutation: `mutation($slug: String!, $clientId: String!, $input: UpdateClientInput!) { updateClient(tenant: $slug, clientId: $clientId, input: $input) { clientId } }`,
        variables: { slug, clientId: c.clientId, input: d.changed },
      });
    }
  }
  if (opts.prune) {
    const keep = new Set((file.clients ?? []).map((c) => c.clientId));
    for (const id of haveClients.keys()) {
      if (!keep.has(id))
        changes.push({
          op: '-',
          kind: 'client',
          id,
          details: [],
          mutation: `mutation($slug: String!, $clientId: String!) { deleteClient(tenant: $slug, clientId: $clientId) }`,
          variables: { slug, clientId: id },
        });
    }
  }

  // Seed users: created when missing; claims and disabled kept in line; passwords only at creation.
  const haveUsers = new Map(current.users.map((u) => [u.username.toLowerCase(), u]));
  for (const u of file.users ?? []) {
    const have = haveUsers.get(u.username.toLowerCase());
    if (!have) {
      changes.push(createUserChange(slug, u));
      continue;
    }
    const want = { username: u.username, claims: u.claims ?? {} };
    const d = diff(have, want, ['username', 'claims']);
    if (d.details.length) {
      changes.push({
        op: '~',
        kind: 'user',
        id: u.username,
        details: d.details,
        mutation: `mutation($slug: String!, $id: ID!, $input: UpdateUserInput!) { updateUser(tenant: $slug, id: $id, input: $input) { id } }`,
        variables: { slug, id: have.id, input: d.changed },
      });
    }
    if ((u.disabled ?? false) !== have.disabled) {
      const op = u.disabled ? 'disableUser' : 'enableUser';
      changes.push({
        op: '~',
        kind: 'user',
        id: u.username,
        details: [`disabled: ${have.disabled} → ${!have.disabled}`],
        mutation: `mutation($slug: String!, $id: ID!) { ${op}(tenant: $slug, id: $id) { id } }`,
        variables: { slug, id: have.id },
      });
    }
  }
  if (opts.prune) {
    const keep = new Set((file.users ?? []).map((u) => u.username.toLowerCase()));
    for (const [key, u] of haveUsers) {
      if (!keep.has(key))
        changes.push({
          op: '-',
          kind: 'user',
          id: u.username,
          details: [],
          mutation: `mutation($slug: String!, $id: ID!) { deleteUser(tenant: $slug, id: $id) }`,
          variables: { slug, id: u.id },
        });
    }
  }
  return changes;
}

function createUserChange(slug: string, u: NonNullable<TenantFile['users']>[number]): Change {
  if (!u.password) throw new Error(`user ${u.username}: a password is needed to create the user`);
  return {
    op: '+',
    kind: 'user',
    id: u.username,
    details: u.disabled ? ['disabled'] : [],
    mutation: `mutation($slug: String!, $input: CreateUserInput!) { createUser(tenant: $slug, input: $input) { id } }`,
    // `disable` is not a GraphQL variable: applyChanges disables the new user after creating it.
    variables: { slug, input: { username: u.username, password: u.password, claims: u.claims ?? {} }, disable: u.disabled ?? false },
  };
}

export interface ApplyResult {
  /** clientId → secret of every confidential client created (shown once). */
  secrets: Record<string, string>;
}

/** Runs the changes in order, reporting each one; stops at the first failure. */
export async function applyChanges(
  api: AdminApi,
  changes: Change[],
  onStep: (i: number, change: Change, state: 'start' | 'done') => void = () => {},
): Promise<ApplyResult> {
  const secrets: Record<string, string> = {};
  for (const [i, change] of changes.entries()) {
    onStep(i, change, 'start');
    const { disable, ...variables } = change.variables as { disable?: boolean };
    const data = await api.gql<Record<string, any>>(change.mutation, variables);
    if (data.createTenant) for (const c of data.createTenant.clients) if (c.clientSecret) secrets[c.client.clientId] = c.clientSecret;
    if (data.createClient?.clientSecret) secrets[data.createClient.client.clientId] = data.createClient.clientSecret;
    if (data.setEventWebhook?.secret) secrets[`event webhook ${data.setEventWebhook.webhook.name}`] = data.setEventWebhook.secret;
    if (data.createUser && disable)
      await api.gql(`mutation($slug: String!, $id: ID!) { disableUser(tenant: $slug, id: $id) { id } }`, {
        slug: (variables as { slug: string }).slug,
        id: data.createUser.id,
      });
    onStep(i, change, 'done');
  }
  return { secrets };
}
