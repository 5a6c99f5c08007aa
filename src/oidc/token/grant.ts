import type { Request } from 'express';
import type { Runtime } from '../../runtime.js';
import type { ClientRecord } from '../../clients/client-record.js';
import type { TenantContext } from '../../tenancy/tenant-context.js';

export interface GrantContext {
  rt: Runtime;
  tenant: TenantContext;
  client: ClientRecord;
  body: Record<string, unknown>;
  req: Request;
}

export type GrantHandler = (ctx: GrantContext) => Promise<Record<string, unknown>>;
