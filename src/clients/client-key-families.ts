import { familyOf } from '../keys/families.js';
import type { TenantContext } from '../tenancy/tenant-context.js';
import type { ClientMetadata } from './client-metadata.js';
import { InputError } from '../errors/domain-errors.js';

/**
 * A client's ID token default when it names none: RS256 (OIDC Registration), or the
 * tenant's signingAlg when the tenant does not use RSA keys (tenant setting keyFamilies).
 */
export function defaultIdTokenAlg(tenant: TenantContext): string {
  return tenant.settings.keyFamilies.includes('RSA') ? 'RS256' : tenant.settings.signingAlg;
}

/**
 * A client may only ask for tenant-key algorithms of the tenant's key families: the
 * tenant has no keys (or publishes none) of the others. HS256 uses the client secret.
 */
export function checkClientKeyFamilies(
  tenant: TenantContext,
  m: Pick<ClientMetadata, 'idTokenSignedResponseAlg'>,
  metadata: Record<string, unknown>,
): void {
  const families = tenant.settings.keyFamilies as readonly string[];
  const idFamily = familyOf(m.idTokenSignedResponseAlg);
  if (idFamily && !families.includes(idFamily)) {
    throw new InputError('idTokenSignedResponseAlg', `the tenant does not use ${idFamily} keys (keyFamilies: ${families.join(', ')})`);
  }
  const ui = metadata.userinfo_signed_response_alg;
  const uiFamily = typeof ui === 'string' ? familyOf(ui) : undefined;
  if (uiFamily && !families.includes(uiFamily)) {
    throw new InputError('userinfoSignedResponseAlg', `the tenant does not use ${uiFamily} keys (keyFamilies: ${families.join(', ')})`);
  }
}
