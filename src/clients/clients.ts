import { randomBytes } from 'node:crypto';
import { DuplicateKeyError } from '../store/errors.js';
import type { ClientRecord } from './client-record.js';
import type { TenantContext } from '../tenancy/tenant-context.js';
import { needsSecretCopy, resolveClientMetadata, type ClientMetadata, type ClientMetadataInput } from './client-metadata.js';
import { checkKeysForAuthMethod, mergeMetadata, validateKeyMetadata } from './client-key-metadata.js';
import { validateLogoutMetadata } from './client-logout-metadata.js';
import { validateUserinfoMetadata } from './client-userinfo-metadata.js';
import { needsSecretForRequestObjects, validateRequestMetadata } from './client-request-metadata.js';
import { validateDpopMetadata } from '../clients/client-dpop-metadata.js';
import { checkSectorIdentifier } from './sector-identifier.js';
import { checkTenantGrantTypes } from './client-info.js';
import { validateClientPolicies, type ClientPolicyInput } from './client-policies.js';
import { checkClientKeyFamilies, defaultIdTokenAlg } from './client-key-families.js';
import { ConflictError, InputError, NotFoundError } from '../errors/domain-errors.js';
import type { Runtime } from '../runtime.js';
import { touchTenant } from '../tenancy/tenant-revision.js';
import { revokeClientTokens } from '../tokens/token-revocation.js';

export const CLIENT_ID_PATTERN = /^[A-Za-z0-9._~-]{3,128}$/;

export const secretContext = (tenantId: string, clientId: string): string => `client-secret:${tenantId}:${clientId}`;

const newSecret = (): string => randomBytes(32).toString('base64url');

export interface CreatedClient {
  client: ClientRecord;
  /** Shown once; only its hash (and, for symmetric algorithms, a sealed copy) is stored. */
  clientSecret: string | null;
  /** RFC 7592 registration access token, shown once (dynamic registration only). */
  registrationAccessToken?: string;
}

export interface CreateClientOptions {
  clientId?: string;
  clientSecret?: string;
  metadata?: Record<string, unknown>;
  /** Issue an RFC 7592 registration access token (dynamic registration). */
  withRegistrationToken?: boolean;
  /** Dynamic registration: who registered (ClientRecord.registeredWith). */
  registeredWith?: 'anonymous' | 'initial_access_token';
  /** Operator policies (admin API only; client-policies.ts). */
  policies?: ClientPolicyInput;
}

function secretFields(
  rt: Runtime,
  tenant: TenantContext,
  clientId: string,
  m: ClientMetadata,
  secret: string | null,
  metadata: Record<string, unknown>,
) {
  if (!secret) return { secretHash: null, secretEncrypted: null };
  return {
    secretHash: rt.envelope.hashSecret(secret),
    secretEncrypted:
      needsSecretCopy(m) || needsSecretForRequestObjects(metadata) ? rt.envelope.seal(secret, secretContext(tenant.id, clientId)) : null,
  };
}

/**
 * The sector document is fetched when a change sets sector_identifier_uri or changes
 * the redirect URIs it must list; unrelated edits do not depend on the client's server.
 */
async function checkSector(
  metadata: Record<string, unknown>,
  redirectUris: string[],
  before?: { metadata: Record<string, unknown>; redirectUris: string[] },
): Promise<void> {
  const uri = metadata.sector_identifier_uri;
  if (typeof uri !== 'string') return;
  const unchanged = before && before.metadata.sector_identifier_uri === uri && redirectUris.every((u) => before.redirectUris.includes(u));
  if (!unchanged) await checkSectorIdentifier(uri, redirectUris);
}

/**
 * HS* request objects verify with the client secret, which only some clients keep a
 * sealed copy of; a client updating itself (RFC 7592) cannot rotate its secret to make one.
 */
function checkRequestObjectSecret(metadata: Record<string, unknown>, current: ClientRecord): void {
  if (needsSecretForRequestObjects(metadata) && !current.secretEncrypted) {
    throw new InputError(
      'request_object_signing_alg',
      'an HS* algorithm needs the client secret, which is not kept for this client: register the client with it, or use a key-based algorithm',
    );
  }
}

const storedMetadata = (c: ClientRecord): Record<string, unknown> => JSON.parse(c.metadata || '{}') as Record<string, unknown>;

export async function createClient(
  rt: Runtime,
  tenant: TenantContext,
  input: ClientMetadataInput,
  opts: CreateClientOptions = {},
): Promise<CreatedClient> {
  const m = resolveClientMetadata({ ...input, idTokenSignedResponseAlg: input.idTokenSignedResponseAlg ?? defaultIdTokenAlg(tenant) });
  checkTenantGrantTypes(tenant, m.grantTypes);
  const clientId = opts.clientId ?? randomBytes(16).toString('base64url');
  if (!CLIENT_ID_PATTERN.test(clientId))
    throw new InputError('clientId', 'must be 3-128 characters of A-Z a-z 0-9 . _ ~ -', 'invalid_request');
  const given = opts.metadata ?? {};
  const metadata = mergeMetadata(given, {
    ...validateKeyMetadata(given),
    ...validateLogoutMetadata(given),
    ...validateUserinfoMetadata(given),
    ...validateRequestMetadata(given),
    ...validateDpopMetadata(given),
  });
  checkKeysForAuthMethod(m, metadata);
  checkClientKeyFamilies(tenant, m, metadata);
  if (needsSecretForRequestObjects(metadata) && m.clientType !== 'CONFIDENTIAL')
    throw new InputError('requestObjectSigningAlg', 'HS* needs a client secret; a public client has none');
  await checkSector(metadata, m.redirectUris);
  const secret = m.clientType === 'CONFIDENTIAL' ? (opts.clientSecret ?? newSecret()) : null;
  const policies = validateClientPolicies(opts.policies);
  // Recorded explicitly at birth: a registered client never gets to introspect others' tokens by default.
  const canIntrospect = policies.canIntrospect ?? (m.clientType === 'CONFIDENTIAL' && !opts.withRegistrationToken);
  const registrationAccessToken = opts.withRegistrationToken ? newSecret() : undefined;
  const now = tenant.clock.date();
  let client: ClientRecord;
  try {
    client = await tenant.store.clients.insert({
      clientId,
      ...m,
      ...secretFields(rt, tenant, clientId, m, secret, metadata),
      canIntrospect,
      tokenExchangeClients: policies.tokenExchangeClients ?? [],
      secretRotatedAt: secret ? now : null,
      metadata: JSON.stringify(metadata),
      registrationTokenHash: registrationAccessToken ? rt.envelope.hashSecret(registrationAccessToken) : null,
      registeredWith: opts.registeredWith ?? null,
      createdAt: now,
      updatedAt: now,
    });
  } catch (err) {
    if (err instanceof DuplicateKeyError) throw new ConflictError('clientId', `a client "${clientId}" already exists in this tenant`);
    throw err;
  }
  clientChanged(rt, await touchTenant(rt, tenant.id), clientId, 'created');
  return registrationAccessToken ? { client, clientSecret: secret, registrationAccessToken } : { client, clientSecret: secret };
}

/**
 * RFC 7592 update: the given metadata replaces the client's (omitted fields return to
 * their defaults); the client type follows from the auth method and cannot change.
 */
export async function replaceClientMetadata(
  rt: Runtime,
  tenant: TenantContext,
  current: ClientRecord,
  input: ClientMetadataInput,
  metadata: Record<string, unknown>,
): Promise<ClientRecord> {
  const m = resolveClientMetadata({ ...input, idTokenSignedResponseAlg: input.idTokenSignedResponseAlg ?? defaultIdTokenAlg(tenant) });
  checkTenantGrantTypes(tenant, m.grantTypes);
  if (m.clientType !== current.clientType)
    throw new InputError('token_endpoint_auth_method', 'cannot change between a public and a confidential client');
  if (needsSecretCopy(m) && !current.secretEncrypted) {
    throw new InputError('token_endpoint_auth_method', 'a symmetric algorithm needs the client secret, which is not kept for this client');
  }
  // Validated exactly as at registration (createClient): keys, jwks_uri, logout URIs, userinfo alg, request objects.
  const merged = mergeMetadata(metadata, {
    ...validateKeyMetadata(metadata),
    ...validateLogoutMetadata(metadata),
    ...validateUserinfoMetadata(metadata),
    ...validateRequestMetadata(metadata),
    ...validateDpopMetadata(metadata),
  });
  checkKeysForAuthMethod(m, merged);
  checkClientKeyFamilies(tenant, m, merged);
  checkRequestObjectSecret(merged, current);
  await checkSector(merged, m.redirectUris, { metadata: storedMetadata(current), redirectUris: current.redirectUris });
  const updated = await tenant.store.clients.update(current.clientId, { ...m, metadata: JSON.stringify(merged) });
  if (!updated) throw new NotFoundError(`client ${current.clientId}`);
  clientChanged(rt, await touchTenant(rt, tenant.id), current.clientId, 'updated');
  return updated;
}

export async function updateClient(
  rt: Runtime,
  tenant: TenantContext,
  clientId: string,
  patch: Partial<ClientMetadata>,
  metadata?: Record<string, unknown>,
  policies?: ClientPolicyInput,
): Promise<ClientRecord> {
  const current = await tenant.store.clients.findByClientId(clientId);
  if (!current) throw new NotFoundError(`client ${clientId}`);
  const defined = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined && v !== null));
  const m = resolveClientMetadata({ ...pickMetadata(current), ...defined });
  if (patch.grantTypes) checkTenantGrantTypes(tenant, m.grantTypes);
  if (m.clientType !== current.clientType) throw new InputError('clientType', 'cannot be changed; create a new client');
  if (needsSecretCopy(m) && !current.secretEncrypted) {
    throw new InputError(
      'tokenEndpointAuthMethod',
      'a symmetric algorithm needs the client secret: rotate the secret in the same change (rotateClientSecret) after switching',
    );
  }
  const set: Partial<ClientRecord> = { ...m, ...validateClientPolicies(policies) };
  const merged = mergeMetadata(
    storedMetadata(current),
    metadata
      ? {
          ...metadata,
          ...validateKeyMetadata(metadata),
          ...validateLogoutMetadata(metadata),
          ...validateUserinfoMetadata(metadata),
          ...validateRequestMetadata(metadata),
          ...validateDpopMetadata(metadata),
        }
      : {},
  );
  checkKeysForAuthMethod(m, merged);
  checkClientKeyFamilies(tenant, m, merged);
  // An admin may switch to HS* request objects without a sealed secret copy: the next
  // rotateClientSecret makes one (until then such objects are refused).
  if (needsSecretForRequestObjects(merged) && m.clientType !== 'CONFIDENTIAL')
    throw new InputError('requestObjectSigningAlg', 'HS* needs a client secret; a public client has none');
  await checkSector(merged, m.redirectUris, { metadata: storedMetadata(current), redirectUris: current.redirectUris });
  set.metadata = JSON.stringify(merged);
  const updated = await tenant.store.clients.update(clientId, set);
  if (!updated) throw new NotFoundError(`client ${clientId}`);
  clientChanged(rt, await touchTenant(rt, tenant.id), clientId, 'updated');
  return updated;
}

export async function rotateClientSecret(
  rt: Runtime,
  tenant: TenantContext,
  clientId: string,
  newSecretValue?: string,
): Promise<CreatedClient> {
  const current = await tenant.store.clients.findByClientId(clientId);
  if (!current) throw new NotFoundError(`client ${clientId}`);
  if (current.clientType !== 'CONFIDENTIAL') throw new InputError('clientId', 'a public client has no secret');
  const secret = newSecretValue ?? newSecret();
  const m = pickMetadata(current);
  const updated = await tenant.store.clients.update(clientId, {
    ...secretFields(rt, tenant, clientId, m, secret, storedMetadata(current)),
    secretRotatedAt: tenant.clock.date(),
  });
  if (!updated) throw new NotFoundError(`client ${clientId}`);
  clientChanged(rt, await touchTenant(rt, tenant.id), clientId, 'secret_rotated');
  return { client: updated, clientSecret: secret };
}

/**
 * Disables or enables a client. Disabling also revokes every token the client holds
 * (a cut-off in the revocation feed, tokens/token-revocation.ts), so enabling it again
 * does not bring old tokens back: it gets new ones.
 */
export async function setClientDisabled(
  rt: Runtime,
  tenant: TenantContext,
  clientId: string,
  disabled: boolean,
): Promise<{ before: ClientRecord; client: ClientRecord }> {
  const before = await tenant.store.clients.findByClientId(clientId);
  if (!before) throw new NotFoundError(`client ${clientId}`);
  const client = await tenant.store.clients.update(clientId, { disabled });
  if (!client) throw new NotFoundError(`client ${clientId}`);
  if (disabled) await revokeClientTokens(tenant, { clientId });
  clientChanged(rt, await touchTenant(rt, tenant.id), clientId, disabled ? 'disabled' : 'enabled');
  return { before, client };
}

export async function deleteClient(rt: Runtime, tenant: TenantContext, clientId: string): Promise<boolean> {
  const deleted = await tenant.store.clients.delete(clientId);
  if (deleted) clientChanged(rt, await touchTenant(rt, tenant.id), clientId, 'deleted');
  return deleted;
}

/** CLIENT_CHANGED for the tenant's event log and webhooks (never the secret). */
function clientChanged(
  rt: Runtime,
  tenant: TenantContext,
  clientId: string,
  change: 'created' | 'updated' | 'secret_rotated' | 'deleted' | 'disabled' | 'enabled',
): void {
  rt.events.emit(tenant, { type: 'CLIENT_CHANGED', clientId, data: { change } });
}

/** The client's plaintext secret, for symmetric algorithms only. */
export function clientSecretCopy(rt: Runtime, tenant: TenantContext, client: ClientRecord): string | null {
  if (!client.secretEncrypted) return null;
  return rt.envelope.open(client.secretEncrypted, secretContext(tenant.id, client.clientId)).toString('utf8');
}

export function pickMetadata(c: ClientRecord): ClientMetadata {
  return {
    name: c.name,
    clientType: c.clientType,
    redirectUris: c.redirectUris,
    postLogoutRedirectUris: c.postLogoutRedirectUris,
    grantTypes: c.grantTypes,
    responseTypes: c.responseTypes,
    scopes: c.scopes,
    tokenEndpointAuthMethod: c.tokenEndpointAuthMethod,
    idTokenSignedResponseAlg: c.idTokenSignedResponseAlg,
    requireConsent: c.requireConsent,
    reuseConsent: c.reuseConsent,
    accessTokenFormat: c.accessTokenFormat,
  };
}
