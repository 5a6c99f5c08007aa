import type { Runtime } from '../../runtime.js';
import type { ClientRecord } from '../../clients/client-record.js';
import type { TenantContext } from '../../tenancy/tenant-context.js';
import type { EndpointInput } from '../endpoint.js';
import type { DpopBinding } from './dpop-binding.js';

/** One grant type (RFC 6749 4 and extensions), one module in oidc/grant-types/: what the token endpoint runs for a `grant_type`. */
export interface GrantTypeContext {
  rt: Runtime;
  tenant: TenantContext;
  client: ClientRecord;
  body: Record<string, unknown>;
  input: EndpointInput;
  /** RFC 9449: the request's verified DPoP proof key; what the grant issues is bound to it. */
  dpop?: DpopBinding;
}

export type GrantTypeHandler = (ctx: GrantTypeContext) => Promise<Record<string, unknown>>;
