import { deleteEventWebhook, rotateEventWebhookSecret, setEventWebhook, webhookView } from '../../events/event-webhooks.js';
import { checkFirst, toConnection } from '../connection.js';
import { auditNote } from '../audit.js';
import type {
  EventDeliveryResolvers,
  EventResolvers,
  EventWebhookResolvers,
  MutationResolvers,
  QueryResolvers,
  TenantResolvers,
} from '../generated/resolvers-types.js';
import { tenantFor } from '../tenant-access.js';

export const eventQueries: QueryResolvers = {
  events: async (_p, { tenant: slug, first, after, filter }, ctx) => {
    checkFirst(first);
    const tenant = await tenantFor(ctx, slug);
    const types = [...(filter?.types ?? []), ...(filter?.type ? [filter.type] : [])];
    return toConnection(
      await tenant.store.events.list(
        { first, after },
        { types, userId: filter?.userId ?? undefined, clientId: filter?.clientId ?? undefined, since: filter?.since ?? undefined },
      ),
    );
  },
  eventDeliveries: async (_p, { tenant: slug, webhook, status, eventId, first, after }, ctx) => {
    checkFirst(first);
    const tenant = await tenantFor(ctx, slug);
    return toConnection(
      await tenant.store.eventDeliveries.list(
        { first, after },
        { webhook: webhook ?? undefined, status: status ?? undefined, eventId: eventId ?? undefined },
      ),
    );
  },
};

export const eventMutations: MutationResolvers = {
  setEventWebhook: async (_p, { tenant: slug, input }, ctx) => {
    const tenant = await tenantFor(ctx, slug);
    auditNote(ctx, { targetType: 'EventWebhook', targetId: input.name });
    const { before, webhook, secret } = await setEventWebhook(ctx.rt, tenant, input);
    auditNote(ctx, { before, after: webhook });
    return { webhook, secret };
  },
  rotateEventWebhookSecret: async (_p, { tenant: slug, name }, ctx) => {
    const tenant = await tenantFor(ctx, slug);
    auditNote(ctx, { targetType: 'EventWebhook', targetId: name });
    const { webhook, secret } = await rotateEventWebhookSecret(ctx.rt, tenant, name);
    auditNote(ctx, { after: webhook });
    return { webhook, secret };
  },
  deleteEventWebhook: async (_p, { tenant: slug, name }, ctx) => {
    const tenant = await tenantFor(ctx, slug);
    auditNote(ctx, { targetType: 'EventWebhook', targetId: name });
    const { before } = await deleteEventWebhook(ctx.rt, tenant, name);
    auditNote(ctx, { before });
    return before !== null;
  },
};

export const TenantEventWebhooks: Pick<TenantResolvers, 'eventWebhooks'> = {
  eventWebhooks: (t, _a, ctx) => {
    const cached = ctx.rt.tenants.peek(t.slug);
    const record = cached && cached.id === t._id ? cached.record : t;
    return (record.eventWebhooks ?? []).map((w) => webhookView(t._id, w));
  },
};

export const Event: EventResolvers = {
  id: (e) => e._id,
  data: (e) => JSON.parse(e.data) as unknown,
};

export const EventWebhook: EventWebhookResolvers = {
  deliveries: async (w, { first, after, status }, ctx) => {
    checkFirst(first);
    return toConnection(
      await ctx.rt.store.forTenant(w.tenantId).eventDeliveries.list({ first, after }, { webhook: w.name, status: status ?? undefined }),
    );
  },
};

export const EventDelivery: EventDeliveryResolvers = {
  id: (d) => d._id,
};
