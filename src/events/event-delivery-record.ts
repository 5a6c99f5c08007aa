export type DeliveryStatus = 'PENDING' | 'DELIVERED' | 'FAILED';

export interface DeliveryAttempt {
  at: Date;
  /** HTTP status of the receiver's answer; null when there was none (timeout, refused). */
  statusCode: number | null;
  error: string | null;
  durationMs: number;
}

/**
 * One event on its way to one event webhook: the exact body that is (re)sent, the
 * attempts made, and when the next one is due. PENDING rows survive a restart; any
 * replica's poller picks up the due ones (claimed atomically with `lockedUntil`).
 */
export interface EventDeliveryRecord {
  /** Time-ordered (store/ids.ts). */
  _id: string;
  tenantId: string;
  /** The tenant's slug when the event happened: the worker finds the tenant (and the webhook secret) by it. */
  tenantSlug: string;
  webhook: string;
  url: string;
  eventId: string;
  eventType: string;
  /** The JSON body, identical on every attempt. */
  payload: string;
  status: DeliveryStatus;
  attempts: number;
  attemptLog: DeliveryAttempt[];
  nextAttemptAt: Date | null;
  /** A worker holds the row until then (epoch 0 when free). */
  lockedUntil: Date;
  createdAt: Date;
  updatedAt: Date;
  deliveredAt: Date | null;
  expiresAt: Date;
}
