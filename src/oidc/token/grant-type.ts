import type { Runtime } from '../../runtime.js';
import type { ClientRecord } from '../../clients/client-record.js';
import type { TenantContext } from '../../tenancy/tenant-context.js';
import type { EndpointInput } from '../endpoint.js';

/** One grant type (RFC 6749 4 and extensions), one module in oidc/grant-types/: what the token endpoint runs for a `grant_type`. */
export interface GrantTypeContext {
  rt: Runtime;
  tenant: TenantContext;
  client: ClientRecord;
  body: Record<string, unknown>;
  input: EndpointInput;
}

export type GrantTypeHandler = (ctx: GrantTypeContext) => Promise<Record<string, unknown>>;
