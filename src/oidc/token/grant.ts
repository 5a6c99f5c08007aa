import type { Runtime } from '../../runtime.js';
import type { ClientRecord } from '../../clients/client-record.js';
import type { TenantContext } from '../../tenancy/tenant-context.js';
import type { EndpointInput } from '../endpoint.js';
import type { DpopBinding } from './dpop-binding.js';

export interface GrantContext {
  rt: Runtime;
  tenant: TenantContext;
  client: ClientRecord;
  body: Record<string, unknown>;
  input: EndpointInput;
  /** RFC 9449: the request's verified DPoP proof key; what the grant issues is bound to it. */
  dpop?: DpopBinding;
}

export type GrantHandler = (ctx: GrantContext) => Promise<Record<string, unknown>>;
