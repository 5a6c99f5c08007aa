import { createHash, randomBytes } from 'node:crypto';
import { extensionDefaults } from '../config/defaults.js';
import type { KeyRings } from '../keys/key-rings.js';
import { signJwt } from '../keys/jwt.js';
import { OutboundError, outboundFetch, type OutboundResponse } from '../outbound/index.js';
import type { TenantContext } from '../tenancy/tenant-context.js';

/** The `typ` of the JWT that authenticates Gatehouse to a tenant's claim and hook webhooks. */
export const WEBHOOK_JWT_TYPE = 'gatehouse-webhook+jwt';

/** `forbidden`: the outbound policy (src/outbound/) refused the URL or the address it resolves to. */
export type WebhookFailureReason = 'timeout' | 'network' | 'forbidden' | 'http_status' | 'bad_json' | 'bad_shape' | 'too_large';

/** A webhook call that produced no usable answer. */
export class WebhookFailure extends Error {
  override readonly name = 'WebhookFailure';
  constructor(
    readonly reason: WebhookFailureReason,
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

export interface WebhookCall {
  url: string;
  timeoutMs: number;
  /** The user's `sub` as the client sees it (absent for calls about no user). */
  sub?: string | null;
  clientId?: string | null;
  /** What is asked: `claim` or a hook point such as `hook:AFTER_LOGIN`. */
  purpose: string;
  /** The JSON request body; the JWT carries its SHA-256 so the receiver can trust it. */
  body: Record<string, unknown>;
}

/**
 * POSTs a JSON body to a tenant's webhook, authenticated by a short-lived JWT signed
 * with the tenant's ACTIVE key (`Authorization: Bearer …`, typ gatehouse-webhook+jwt,
 * `iss` the tenant's issuer, `aud` the webhook URL, `body_sha256` the body's hash): the
 * receiver verifies it with the tenant's JWKS and needs no shared secret. Sent through
 * the outbound policy (src/outbound/): redirects are not followed. Resolves to the JSON
 * object answered; anything else (refused, timeout, non-2xx, not JSON, not an object,
 * too large) throws WebhookFailure.
 */
export async function callTenantWebhook(
  rt: { keyRings: KeyRings },
  tenant: TenantContext,
  call: WebhookCall,
): Promise<Record<string, unknown>> {
  const body = JSON.stringify(call.body);
  const now = tenant.clock.seconds();
  const ring = rt.keyRings.peek(tenant) ?? (await rt.keyRings.get(tenant));
  const jwt = await signJwt(
    ring,
    tenant.settings.signingAlg,
    {
      iss: tenant.issuer,
      aud: call.url,
      iat: now,
      exp: now + 60,
      jti: randomBytes(12).toString('base64url'),
      ...(call.sub ? { sub: call.sub } : {}),
      ...(call.clientId ? { client_id: call.clientId } : {}),
      purpose: call.purpose,
      body_sha256: createHash('sha256').update(body).digest('base64url'),
    },
    WEBHOOK_JWT_TYPE,
  );
  let res: OutboundResponse;
  try {
    res = await outboundFetch(call.url, {
      purpose: call.purpose,
      method: 'POST',
      headers: { authorization: `Bearer ${jwt}`, 'content-type': 'application/json', accept: 'application/json' },
      body,
      redirect: 'error',
      timeoutMs: call.timeoutMs,
      maxBytes: extensionDefaults.webhookResponseBytes,
    });
  } catch (err) {
    throw failureOf(err, call.timeoutMs);
  }
  const text = res.body.toString('utf8');
  if (res.status < 200 || res.status > 299) throw new WebhookFailure('http_status', `answered HTTP ${res.status}`, res.status);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new WebhookFailure('bad_json', 'the answer is not JSON', res.status);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
    throw new WebhookFailure('bad_shape', 'the answer is not a JSON object', res.status);
  return parsed as Record<string, unknown>;
}

/** The outbound policy's verdicts, as the reasons claim and hook failures report. */
function failureOf(err: unknown, timeoutMs: number): WebhookFailure {
  if (!(err instanceof OutboundError)) return new WebhookFailure('network', `request failed: ${(err as Error).message}`);
  switch (err.code) {
    case 'ERR_OUTBOUND_TIMEOUT':
      return new WebhookFailure('timeout', `no answer within ${timeoutMs} ms`);
    case 'ERR_OUTBOUND_TOO_LARGE':
      return new WebhookFailure('too_large', err.message);
    case 'ERR_OUTBOUND_FORBIDDEN':
      return new WebhookFailure('forbidden', `refused by the outbound policy: ${err.message}`);
    default:
      return new WebhookFailure('network', err.message);
  }
}
