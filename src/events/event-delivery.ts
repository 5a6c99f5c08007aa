import { createHmac } from 'node:crypto';
import type { Logger } from 'pino';
import { eventDeliveries as deliveryCounter } from '../claims/extension-metrics.js';
import { extensionDefaults } from '../config/defaults.js';
import type { Envelope } from '../keys/envelope.js';
import { outboundFetch } from '../outbound/index.js';
import type { Store } from '../store/index.js';
import type { DeliveryAttempt, EventDeliveryRecord } from './event-delivery-record.js';
import type { EventWebhookDefinition } from '../tenancy/tenant-record.js';
import type { TenantRegistry } from '../tenancy/tenant-registry.js';

/** The header that proves a delivery came from Gatehouse: `t=<unix seconds>,v1=<hex HMAC-SHA256>`. */
export const SIGNATURE_HEADER = 'Gatehouse-Signature';

/**
 * Stripe's scheme: HMAC-SHA256 under the webhook's secret of `<t>.<body>`. The
 * timestamp is signed too, so a receiver can refuse replays of old deliveries.
 */
export function signatureHeader(secret: string, body: string, t = Math.floor(Date.now() / 1000)): string {
  return `t=${t},v1=${createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')}`;
}

export const webhookSecretContext = (tenantId: string, name: string): string => `event-webhook:${tenantId}:${name}`;

export function webhookSecret(envelope: Envelope, tenantId: string, webhook: EventWebhookDefinition): string {
  return envelope.open(webhook.secret, webhookSecretContext(tenantId, webhook.name)).toString('utf8');
}

export interface DeliveryDeps {
  store: Store;
  envelope: Envelope;
  tenants: TenantRegistry;
  log: Logger;
}

export interface DeliveryPolicy {
  /** First retry delay; doubles with each further attempt. */
  retryBaseMs: number;
  maxAttempts: number;
  timeoutMs: number;
}

/** When the attempt after `attempts` failed ones is due (exponential back-off, ±10 % jitter, at most an hour). */
export function retryDelayMs(policy: DeliveryPolicy, attempts: number): number {
  const base = Math.min(policy.retryBaseMs * 2 ** Math.max(0, attempts - 1), 3_600_000);
  return Math.round(base * (0.9 + Math.random() * 0.2));
}

async function post(
  url: string,
  body: string,
  headers: Record<string, string>,
  timeoutMs: number,
): Promise<{ statusCode: number | null; error: string | null }> {
  try {
    // Through the outbound policy (src/outbound/): no internal addresses, no redirects.
    const res = await outboundFetch(url, {
      purpose: 'event_webhook',
      method: 'POST',
      headers,
      body,
      redirect: 'error',
      timeoutMs,
      maxBytes: 64 * 1024,
    });
    return { statusCode: res.status, error: res.status >= 200 && res.status < 300 ? null : `HTTP ${res.status}` };
  } catch (err) {
    return { statusCode: null, error: (err as Error).message.slice(0, 200) };
  }
}

/**
 * One attempt at one delivery: claims it (so no other worker or replica sends it at the
 * same time), signs the stored body with the webhook's current secret, POSTs it and
 * records the outcome. Returns when the next attempt is due, or null when there is none
 * (delivered, given up, or not ours to send).
 */
export async function attemptDelivery(
  deps: DeliveryDeps,
  policy: DeliveryPolicy,
  tenantId: string,
  deliveryId: string,
): Promise<Date | null> {
  const ts = deps.store.forTenant(tenantId);
  const rec: EventDeliveryRecord | null = await ts.eventDeliveries.claim(deliveryId, policy.timeoutMs + 5_000);
  if (!rec) return null;
  const tenant = await deps.tenants.get(rec.tenantSlug);
  if (!tenant || tenant.id !== rec.tenantId) {
    await ts.eventDeliveries.abandon(rec._id, 'the tenant no longer exists');
    return null;
  }
  const webhook = tenant.record.eventWebhooks?.find((w) => w.name === rec.webhook);
  if (!webhook || !webhook.enabled) {
    await ts.eventDeliveries.abandon(rec._id, webhook ? 'the webhook was disabled' : 'the webhook was removed');
    return null;
  }
  const started = Date.now();
  const result = await post(
    webhook.url,
    rec.payload,
    {
      'content-type': 'application/json',
      'user-agent': 'Gatehouse',
      [SIGNATURE_HEADER]: signatureHeader(webhookSecret(deps.envelope, tenant.id, webhook), rec.payload),
      'Gatehouse-Event': rec.eventType,
      'Gatehouse-Event-Id': rec.eventId,
      'Gatehouse-Delivery': rec._id,
      'Gatehouse-Delivery-Attempt': String(rec.attempts + 1),
    },
    policy.timeoutMs,
  );
  const attempt: DeliveryAttempt = { at: new Date(), statusCode: result.statusCode, error: result.error, durationMs: Date.now() - started };
  const attempts = rec.attempts + 1;
  if (!result.error) {
    await ts.eventDeliveries.recordAttempt(rec._id, attempt, { status: 'DELIVERED', nextAttemptAt: null });
    deliveryCounter.inc({ outcome: 'delivered' });
    return null;
  }
  if (attempts >= policy.maxAttempts) {
    await ts.eventDeliveries.recordAttempt(rec._id, attempt, { status: 'FAILED', nextAttemptAt: null });
    deliveryCounter.inc({ outcome: 'failed' });
    deps.log.warn(
      { tenant: tenant.slug, webhook: webhook.name, eventType: rec.eventType, attempts, error: result.error },
      'event delivery failed for good',
    );
    return null;
  }
  const next = new Date(Date.now() + retryDelayMs(policy, attempts));
  await ts.eventDeliveries.recordAttempt(rec._id, attempt, { status: 'PENDING', nextAttemptAt: next });
  deliveryCounter.inc({ outcome: 'retry' });
  deps.log.info(
    { tenant: tenant.slug, webhook: webhook.name, eventType: rec.eventType, attempts, error: result.error, next },
    'event delivery failed; will retry',
  );
  return next;
}

export const defaultDeliveryPolicy = (retrySeconds: number, maxAttempts: number): DeliveryPolicy => ({
  retryBaseMs: Math.round(retrySeconds * 1000),
  maxAttempts,
  timeoutMs: extensionDefaults.deliveryTimeoutMs,
});
