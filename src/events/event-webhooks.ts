import { randomBytes } from 'node:crypto';
import { EVENT_TYPES } from './event-types.js';
import type { EventWebhookDefinition } from '../tenancy/tenant-record.js';
import type { TenantContext } from '../tenancy/tenant-context.js';
import { InputError, NotFoundError } from '../errors/domain-errors.js';
import { webhookSecretContext } from './event-delivery.js';
import type { Runtime } from '../runtime.js';
import { changeTenantList, checkWebhookUrl } from '../tenancy/tenant-lists.js';

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const MAX_WEBHOOKS = 10;

export interface EventWebhookInput {
  name: string;
  url: string;
  /** Empty or omitted: every event type. */
  eventTypes?: string[] | null;
  enabled?: boolean | null;
}

/** What may be shown of a webhook (never its secret), with its tenant's id. */
export type EventWebhookView = Omit<EventWebhookDefinition, 'secret'> & { tenantId: string };
export const webhookView = (tenantId: string, { secret: _secret, ...rest }: EventWebhookDefinition): EventWebhookView => ({
  ...rest,
  tenantId,
});

export function validateEventWebhook(input: EventWebhookInput): { name: string; url: string; eventTypes: string[]; enabled: boolean } {
  const name = input.name.trim();
  if (!NAME.test(name))
    throw new InputError('name', 'must be 1-64 characters of A-Z a-z 0-9 . _ -, starting with a letter or digit', 'invalid_request');
  const problem = checkWebhookUrl(input.url);
  if (problem) throw new InputError('url', problem, 'invalid_request');
  const eventTypes = [...new Set(input.eventTypes ?? [])];
  for (const t of eventTypes)
    if (!(EVENT_TYPES as readonly string[]).includes(t))
      throw new InputError('eventTypes', `"${t}" is not an event type`, 'invalid_request');
  return { name, url: new URL(input.url).href, eventTypes: eventTypes.sort(), enabled: input.enabled ?? true };
}

/** `whsec_` and 256 random bits: shown once, kept sealed (it signs every delivery). */
const newSecret = (): string => `whsec_${randomBytes(32).toString('base64url')}`;

/**
 * Creates a webhook (its secret is returned, once) or changes an existing one's URL,
 * event types or enabled flag (the secret stays; `secret` is then null).
 */
export async function setEventWebhook(
  rt: Runtime,
  tenant: TenantContext,
  input: EventWebhookInput,
): Promise<{ tenant: TenantContext; before: EventWebhookView | null; webhook: EventWebhookView; secret: string | null }> {
  const v = validateEventWebhook(input);
  let secret: string | null = null;
  let result: EventWebhookDefinition | undefined;
  const { tenant: ctx, before } = await changeTenantList(rt, tenant, 'eventWebhooks', (list) => {
    const current = list.find((w) => w.name === v.name);
    const now = new Date();
    if (current) {
      result = { ...current, url: v.url, eventTypes: v.eventTypes, enabled: v.enabled };
    } else {
      if (list.length >= MAX_WEBHOOKS)
        throw new InputError('name', `a tenant has at most ${MAX_WEBHOOKS} event webhooks`, 'invalid_request');
      secret = newSecret();
      result = { ...v, secret: rt.envelope.seal(secret, webhookSecretContext(tenant.id, v.name)), createdAt: now, secretRotatedAt: now };
    }
    return [...list.filter((w) => w.name !== v.name), result].sort((a, b) => (a.name < b.name ? -1 : 1));
  });
  const prior = before.find((w) => w.name === v.name);
  return { tenant: ctx, before: prior ? webhookView(tenant.id, prior) : null, webhook: webhookView(tenant.id, result!), secret };
}

/** A new secret for a webhook (returned once); deliveries are signed with it from now on. */
export async function rotateEventWebhookSecret(
  rt: Runtime,
  tenant: TenantContext,
  name: string,
): Promise<{ tenant: TenantContext; webhook: EventWebhookView; secret: string }> {
  const secret = newSecret();
  let result: EventWebhookDefinition | undefined;
  const { tenant: ctx } = await changeTenantList(rt, tenant, 'eventWebhooks', (list) => {
    const current = list.find((w) => w.name === name);
    if (!current) throw new NotFoundError(`event webhook "${name}"`);
    result = { ...current, secret: rt.envelope.seal(secret, webhookSecretContext(tenant.id, name)), secretRotatedAt: new Date() };
    return list.map((w) => (w.name === name ? result! : w));
  });
  return { tenant: ctx, webhook: webhookView(tenant.id, result!), secret };
}

export async function deleteEventWebhook(
  rt: Runtime,
  tenant: TenantContext,
  name: string,
): Promise<{ tenant: TenantContext; before: EventWebhookView | null }> {
  if (!(tenant.record.eventWebhooks ?? []).some((w) => w.name === name)) return { tenant, before: null };
  const { tenant: ctx, before } = await changeTenantList(rt, tenant, 'eventWebhooks', (list) => list.filter((w) => w.name !== name));
  const prior = before.find((w) => w.name === name);
  return { tenant: ctx, before: prior ? webhookView(tenant.id, prior) : null };
}
