import { Counter, Gauge, Registry } from 'prom-client';

/**
 * Metrics of the durable outboxes (events/outbox.ts), process-wide like the extension
 * metrics: /metrics serves this registry too. Tests run several servers in one process,
 * so the gauge sums over every live outbox when it is scraped.
 */
export const outboxMetrics = new Registry();

/** Live outboxes, each reporting its pending records by kind. */
export const liveOutboxes = new Set<{ pendingByKind(): Map<string, number> }>();

export const outboxPending = new Gauge({
  name: 'gatehouse_outbox_pending',
  help: 'Events and audit records accepted but not yet written to the database (journaled on disk)',
  labelNames: ['kind'],
  registers: [outboxMetrics],
  collect() {
    const sums = new Map<string, number>([
      ['event', 0],
      ['audit', 0],
    ]);
    for (const o of liveOutboxes) for (const [k, n] of o.pendingByKind()) sums.set(k, (sums.get(k) ?? 0) + n);
    for (const [kind, n] of sums) this.set({ kind }, n);
  },
});

export const outboxDropped = new Counter({
  name: 'gatehouse_outbox_dropped_total',
  help: 'Events and audit records dropped: the outbox was full (reason=full) or the database kept refusing them (reason=rejected)',
  labelNames: ['kind', 'reason'],
  registers: [outboxMetrics],
});

export const outboxReplayed = new Counter({
  name: 'gatehouse_outbox_replayed_total',
  help: 'Records found unwritten in the journal of a stopped or crashed process and queued again',
  labelNames: ['kind'],
  registers: [outboxMetrics],
});
