import type { Runtime } from '../../runtime.js';
import type { ClientRecord } from '../../clients/client-record.js';
import type { TenantContext } from '../../tenancy/tenant-context.js';
import type { EndpointInput } from '../endpoint.js';

export interface GrantContext {
  rt: Runtime;
  tenant: TenantContext;
  client: ClientRecord;
  body: Record<string, unknown>;
  input: EndpointInput;
}

export type GrantHandler = (ctx: GrantContext) => Promise<Record<string, unknown>>;
