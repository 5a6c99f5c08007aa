import { Counter, Registry } from 'prom-client';

/**
 * Counters of the tenants' extensions (claim resolvers, hooks, event webhooks). They
 * live in their own registry, process-wide, because the code that counts sits below the
 * http layer that owns the request metrics; /metrics serves both registries. Tenant
 * slugs are not labels (10,000 tenants would explode the series): the events of each
 * tenant say which resolver failed.
 */
export const extensionMetrics = new Registry();

export const claimResolverFailures = new Counter({
  name: 'gatehouse_claim_resolver_failures_total',
  help: 'Claim resolvers that produced no value because they failed (the claim was left out)',
  labelNames: ['kind', 'reason'],
  registers: [extensionMetrics],
});

export const hookFailures = new Counter({
  name: 'gatehouse_hook_failures_total',
  help: 'Tenant hooks that failed or timed out',
  labelNames: ['point', 'reason'],
  registers: [extensionMetrics],
});

export const eventDeliveries = new Counter({
  name: 'gatehouse_event_delivery_attempts_total',
  help: 'Event webhook delivery attempts by outcome (delivered, retry, failed)',
  labelNames: ['outcome'],
  registers: [extensionMetrics],
});
