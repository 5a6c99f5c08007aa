import type { ClientRecord } from '../clients/client-record.js';
import type { UserRecord } from '../users/user-record.js';
import type { TenantContext } from '../tenancy/tenant-context.js';
import type { Runtime } from '../runtime.js';
import { resolveUserClaims, type ClaimFailure } from './pipeline.js';
import type { RequestedClaims } from './user-claims.js';

export interface UserinfoClaimsInput {
  user: UserRecord;
  client: ClientRecord;
  /** The access token's scopes. */
  scopes: string[];
  /** The `claims` parameter's userinfo member. */
  requested?: RequestedClaims | null;
  /** The sub the access token was issued with (the one its ID token carried). */
  sub: string;
  onFailure?: (f: ClaimFailure) => void;
  preview?: boolean;
}

/** The userinfo response (OIDC Core 5.3.2): the released claims and `sub`, always. */
export async function buildUserinfoClaims(
  rt: Runtime,
  tenant: TenantContext,
  input: UserinfoClaimsInput,
): Promise<Record<string, unknown>> {
  const claims = await resolveUserClaims(rt, tenant, {
    user: input.user,
    client: input.client,
    scopes: input.scopes,
    target: 'USERINFO',
    requested: input.requested ?? null,
    sub: input.sub,
    onFailure: input.onFailure,
    preview: input.preview,
  });
  return { ...claims, sub: input.sub };
}
