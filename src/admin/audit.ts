import type { GraphQLResolveInfo } from 'graphql';
import { auditSlot, beginAudit, recordAudit } from '../events/audit.js';
import { serviceUnavailable } from '../errors/admin-error.js';
import type { AdminContext } from './context.js';
import { errorCode } from './format-error.js';
import type { MutationResolvers } from './generated/resolvers-types.js';

/** What a mutation tells the audit trail about itself; everything is optional. */
export interface AuditDraft {
  tenant?: { id: string | null; slug: string };
  targetType?: string;
  targetId?: string;
  /** Non-secret snapshots (events/audit.ts has one per object kind). */
  before?: unknown;
  after?: unknown;
}

/** Called by mutations (and tenantFor) to describe what they change. */
export function auditNote(ctx: AdminContext, note: AuditDraft): void {
  if (ctx.audit) Object.assign(ctx.audit, note);
}

type AnyResolver = (parent: unknown, args: Record<string, unknown>, ctx: AdminContext, info: GraphQLResolveInfo) => unknown;

function tenantSlugOf(args: Record<string, unknown>): string | undefined {
  if (typeof args.tenant === 'string') return args.tenant;
  if (typeof args.slug === 'string') return args.slug;
  const input = args.input as { slug?: unknown } | undefined;
  return typeof input?.slug === 'string' ? input.slug : undefined;
}

/**
 * Wraps every mutation so that each call — refused, failed or done — leaves exactly one
 * audit event: who (the admin client), the tenant, the operation, its arguments without
 * secrets, and the before/after snapshots the mutation noted. Recording lives here, in
 * one place, so a new mutation cannot forget it.
 *
 * The record is written first, outcome PENDING, straight to the database; only then does
 * the mutation run, and its outcome completes the same record (through the durable
 * outbox). So no change is ever applied without its record: when the database cannot
 * take the PENDING record the mutation is refused (SERVICE_UNAVAILABLE) and the refusal
 * itself is journaled and written when the database returns.
 */
export function audited(mutations: MutationResolvers): MutationResolvers {
  const out: Record<string, AnyResolver> = {};
  for (const [name, resolver] of Object.entries(mutations as Record<string, AnyResolver>)) {
    out[name] = async (parent, args, ctx, info) => {
      const draft: AuditDraft = {};
      ctx.audit = draft;
      const slug = tenantSlugOf(args);
      const record = auditSlot();
      const actor = { clientId: ctx.principal.clientId, platform: ctx.principal.platform };
      // From memory only: the database may be the reason this is being recorded.
      const knownTenant = () => draft.tenant ?? (slug ? { id: ctx.rt.tenants.peek(slug)?.id ?? null, slug } : null);
      const base = async () => ({
        actor,
        // A refused call never reached tenantFor: look the tenant up so its admins see the attempt.
        tenant: draft.tenant ?? (slug ? { id: (await ctx.rt.tenants.get(slug).catch(() => null))?.id ?? null, slug } : null),
        operation: name,
        targetType: draft.targetType ?? null,
        targetId: draft.targetId ?? null,
        arguments: args,
      });
      try {
        try {
          await beginAudit(ctx.rt, { actor, tenant: knownTenant(), operation: name, arguments: args }, record.id, record.at);
        } catch (err) {
          await recordAudit(
            ctx.rt,
            { actor, tenant: knownTenant(), operation: name, arguments: args, outcome: 'FAILURE', errorCode: 'SERVICE_UNAVAILABLE' },
            record,
          );
          ctx.rt.log.warn({ err, operation: name }, 'admin change refused: its audit record could not be written');
          throw serviceUnavailable();
        }
        let result: unknown;
        try {
          result = await resolver(parent, args, ctx, info);
        } catch (err) {
          await recordAudit(ctx.rt, { ...(await base()), outcome: 'FAILURE', errorCode: errorCode(err) }, record);
          throw err;
        }
        await recordAudit(ctx.rt, { ...(await base()), outcome: 'SUCCESS', before: draft.before, after: draft.after }, record);
        return result;
      } finally {
        ctx.audit = null;
      }
    };
  }
  return out as MutationResolvers;
}
