import { clientSnapshot } from '../../events/audit.js';
import { CLIENT_INFO_FIELDS, clientInfo, validateClientInfo } from '../../clients/client-info.js';
import { clientKeyMetadata } from '../../clients/client-key-metadata.js';
import { CLIENT_LOGOUT_FIELDS, clientLogoutMetadata } from '../../clients/client-logout-metadata.js';
import { mayIntrospectAny, type ClientPolicyInput } from '../../clients/client-policies.js';
import { createClient, deleteClient, rotateClientSecret, setClientDisabled, updateClient } from '../../clients/clients.js';
import { CLIENT_USERINFO_FIELDS, userinfoSigningAlg } from '../../clients/client-userinfo-metadata.js';
import { CLIENT_REQUEST_FIELDS, clientRequestMetadata } from '../../clients/client-request-metadata.js';
import { CLIENT_DPOP_FIELDS, requiresDpop } from '../../clients/client-dpop-metadata.js';
import { revokeClientTokens } from '../../tokens/token-revocation.js';
import { DEFAULT_PAGE } from '../../store/paging.js';
import { auditNote } from '../audit.js';
import { checkFirst, toConnection } from '../connection.js';
import type { ClientResolvers, MutationResolvers, QueryResolvers } from '../generated/resolvers-types.js';
import { tenantKey } from '../loaders.js';
import { tenantFor } from '../tenant-access.js';

const orUndefined = <T>(v: T | null | undefined): T | undefined => (v === null ? undefined : v);

/** Fields stored in the client's RFC 7591 metadata rather than as record fields. */
const KEY_FIELDS = {
  jwks: 'jwks',
  jwksUri: 'jwks_uri',
  subjectType: 'subject_type',
  ...CLIENT_INFO_FIELDS,
  ...CLIENT_LOGOUT_FIELDS,
  ...CLIENT_USERINFO_FIELDS,
  ...CLIENT_REQUEST_FIELDS,
  ...CLIENT_DPOP_FIELDS,
} as const;

/**
 * Splits GraphQL client input into record metadata and RFC 7591 metadata (keys, subject
 * type, home page, logo, terms, policy, contacts, back- and front-channel logout; an
 * explicit null there removes the value). The enum accessTokenFormat maps to the record's lower-case value.
 */
export function clientInputParts(input: Record<string, unknown>): {
  fields: Record<string, unknown>;
  metadata: Record<string, unknown>;
  clientId: string | undefined;
  policies: ClientPolicyInput;
} {
  const fields: Record<string, unknown> = {};
  const metadata: Record<string, unknown> = {};
  const policies: Record<string, unknown> = {};
  let clientId: string | undefined;
  for (const [k, v] of Object.entries(input)) {
    if (k === 'clientId') clientId = orUndefined(v as string | null);
    else if (k === 'canIntrospect' || k === 'tokenExchangeClients') policies[k] = v;
    else if (k in KEY_FIELDS) metadata[KEY_FIELDS[k as keyof typeof KEY_FIELDS]] = v;
    else if (k === 'accessTokenFormat') fields[k] = typeof v === 'string' ? v.toLowerCase() : undefined;
    else fields[k] = orUndefined(v);
  }
  return { fields, metadata: { ...metadata, ...validateClientInfo(metadata) }, clientId, policies };
}

export const clientQueries: QueryResolvers = {
  client: async (_p, { tenant: slug, clientId }, ctx) => {
    const tenant = await tenantFor(ctx, slug);
    return ctx.loaders.client.load(tenantKey(tenant.id, clientId));
  },
  clients: async (_p, { tenant: slug, first, after }, ctx) => {
    checkFirst(first);
    const tenant = await tenantFor(ctx, slug);
    if (!after) return toConnection(await ctx.loaders.firstClients.load(tenantKey(tenant.id, String(first ?? DEFAULT_PAGE))));
    return toConnection(await tenant.store.clients.list({ first, after }));
  },
};

export const clientMutations: MutationResolvers = {
  createClient: async (_p, { tenant: slug, input }, ctx) => {
    const tenant = await tenantFor(ctx, slug);
    const { fields, metadata, clientId, policies } = clientInputParts(input);
    auditNote(ctx, { targetType: 'Client', targetId: clientId });
    const created = await createClient(
      ctx.rt,
      tenant,
      { ...fields, name: input.name, clientType: input.clientType },
      { clientId, metadata, policies },
    );
    auditNote(ctx, { targetId: created.client.clientId, after: clientSnapshot(created.client) });
    return created;
  },
  updateClient: async (_p, { tenant: slug, clientId, input }, ctx) => {
    const tenant = await tenantFor(ctx, slug);
    auditNote(ctx, { targetType: 'Client', targetId: clientId });
    const { fields, metadata, policies } = clientInputParts(input);
    const before = await tenant.store.clients.findByClientId(clientId);
    const updated = await updateClient(ctx.rt, tenant, clientId, fields, metadata, policies);
    auditNote(ctx, { before: before && clientSnapshot(before), after: clientSnapshot(updated) });
    return updated;
  },
  rotateClientSecret: async (_p, { tenant: slug, clientId }, ctx) => {
    const tenant = await tenantFor(ctx, slug);
    auditNote(ctx, { targetType: 'Client', targetId: clientId });
    const rotated = await rotateClientSecret(ctx.rt, tenant, clientId);
    auditNote(ctx, { after: { secretRotatedAt: rotated.client.secretRotatedAt } });
    return rotated;
  },
  disableClient: async (_p, { tenant: slug, clientId }, ctx) => {
    const tenant = await tenantFor(ctx, slug);
    auditNote(ctx, { targetType: 'Client', targetId: clientId });
    const { before, client } = await setClientDisabled(ctx.rt, tenant, clientId, true);
    auditNote(ctx, { before: clientSnapshot(before), after: clientSnapshot(client) });
    return client;
  },
  enableClient: async (_p, { tenant: slug, clientId }, ctx) => {
    const tenant = await tenantFor(ctx, slug);
    auditNote(ctx, { targetType: 'Client', targetId: clientId });
    const { before, client } = await setClientDisabled(ctx.rt, tenant, clientId, false);
    auditNote(ctx, { before: clientSnapshot(before), after: clientSnapshot(client) });
    return client;
  },
  deleteClient: async (_p, { tenant: slug, clientId }, ctx) => {
    const tenant = await tenantFor(ctx, slug);
    auditNote(ctx, { targetType: 'Client', targetId: clientId });
    const before = await tenant.store.clients.findByClientId(clientId);
    if (!before) return false;
    auditNote(ctx, { before: clientSnapshot(before) });
    const deleted = await deleteClient(ctx.rt, tenant, clientId);
    // What the client held dies with it: a client re-created under the same id starts clean.
    if (deleted) await revokeClientTokens(tenant, { clientId, forgetConsents: true });
    return deleted;
  },
};

export const Client: ClientResolvers = {
  tenant: async (c, _a, ctx) => (await ctx.loaders.tenantById.load(c.tenantId))!,
  secretRotatedAt: (c) => c.secretRotatedAt ?? null,
  disabled: (c) => c.disabled ?? false,
  accessTokenFormat: (c) => (c.accessTokenFormat === 'opaque' ? 'OPAQUE' : 'JWT'),
  canIntrospect: (c) => mayIntrospectAny(c),
  tokenExchangeClients: (c) => c.tokenExchangeClients ?? [],
  subjectType: (c) => clientKeyMetadata(c).subjectType,
  jwks: (c) => clientKeyMetadata(c).jwks,
  jwksUri: (c) => clientKeyMetadata(c).jwksUri,
  clientUri: (c) => clientInfo(c).clientUri,
  logoUri: (c) => clientInfo(c).logoUri,
  tosUri: (c) => clientInfo(c).tosUri,
  policyUri: (c) => clientInfo(c).policyUri,
  contacts: (c) => clientInfo(c).contacts,
  backchannelLogoutUri: (c) => clientLogoutMetadata(c).backchannelLogoutUri,
  backchannelLogoutSessionRequired: (c) => clientLogoutMetadata(c).backchannelLogoutSessionRequired,
  frontchannelLogoutUri: (c) => clientLogoutMetadata(c).frontchannelLogoutUri,
  frontchannelLogoutSessionRequired: (c) => clientLogoutMetadata(c).frontchannelLogoutSessionRequired,
  userinfoSignedResponseAlg: (c) => userinfoSigningAlg(c),
  sectorIdentifierUri: (c) => clientRequestMetadata(c).sectorIdentifierUri,
  requestUris: (c) => clientRequestMetadata(c).requestUris,
  requestObjectSigningAlg: (c) => clientRequestMetadata(c).requestObjectSigningAlg,
  requirePushedAuthorizationRequests: (c) => clientRequestMetadata(c).requirePushedAuthorizationRequests,
  requireSignedRequestObject: (c) => clientRequestMetadata(c).requireSignedRequestObject,
  dpopBoundAccessTokens: (c) => requiresDpop(c),
};
