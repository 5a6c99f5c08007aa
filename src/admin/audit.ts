import type { GraphQLResolveInfo } from 'graphql';
import { recordAudit } from '../services/audit.js';
import type { AdminContext } from './context.js';
import { errorCode } from './format-error.js';
import type { MutationResolvers } from './generated/resolvers-types.js';

/** What a mutation tells the audit trail about itself; everything is optional. */
export interface AuditDraft {
  tenant?: { id: string | null; slug: string };
  targetType?: string;
  targetId?: string;
  /** Non-secret snapshots (services/audit.ts has one per object kind). */
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
 */
export function audited(mutations: MutationResolvers): MutationResolvers {
  const out: Record<string, AnyResolver> = {};
  for (const [name, resolver] of Object.entries(mutations as Record<string, AnyResolver>)) {
    out[name] = async (parent, args, ctx, info) => {
      const draft: AuditDraft = {};
      ctx.audit = draft;
      const slug = tenantSlugOf(args);
      const base = async () => ({
        actor: { clientId: ctx.principal.clientId, platform: ctx.principal.platform },
        // A refused call never reached tenantFor: look the tenant up so its admins see the attempt.
        tenant: draft.tenant ?? (slug ? { id: (await ctx.rt.tenants.get(slug).catch(() => null))?.id ?? null, slug } : null),
        operation: name,
        targetType: draft.targetType ?? null,
        targetId: draft.targetId ?? null,
        arguments: args,
      });
      try {
        const result = await resolver(parent, args, ctx, info);
        await recordAudit(ctx.rt, { ...(await base()), outcome: 'SUCCESS', before: draft.before, after: draft.after });
        return result;
      } catch (err) {
        await recordAudit(ctx.rt, { ...(await base()), outcome: 'FAILURE', errorCode: errorCode(err) });
        throw err;
      } finally {
        ctx.audit = null;
      }
    };
  }
  return out as MutationResolvers;
}
