import { randomBytes } from 'node:crypto';
import { decodeJwt } from 'jose';
import type { Logger } from 'pino';
import { subjectFor } from '../../claims/subject.js';
import { OutboundError, outboundFetch } from '../../outbound/index.js';
import { clientLogoutMetadata } from '../../clients/client-logout-metadata.js';
import type { LogoutOutcome } from '../../events/logout-delivery.js';
import type { Runtime } from '../../runtime.js';
import type { ClientRecord } from '../../clients/client-record.js';
import type { UserRecord } from '../../users/user-record.js';
import type { TenantContext } from '../../tenancy/tenant-context.js';
import { signForClient } from '../issue/id-token.js';

/** The event a logout token carries (Back-Channel Logout 1.0 section 2.4). */
export const BACKCHANNEL_LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';
export const LOGOUT_TOKEN_TYP = 'logout+jwt';

/** Short: a logout token is delivered at once or within the retries below. */
const LOGOUT_TOKEN_TTL_SECONDS = 120;
/** One attempt may take this long before it counts as failed. */
export const ATTEMPT_TIMEOUT_MS = 5_000;
/** Waits before the 2nd, 3rd and 4th attempt (all within the token's lifetime). */
export const RETRY_DELAYS_MS = [1_000, 4_000, 16_000];
/**
 * How long the user's logout response waits for the first attempts: RPs that answer
 * quickly have ended their sessions before the user is back on their pages; slow or
 * failing ones are retried in the background and never hold the user up longer.
 */
export const USER_WAIT_MS = 1_000;

export interface LoggedOutSession {
  sid: string;
  user: UserRecord;
}

/**
 * A logout token (section 2.4): iss, aud (the client), iat, exp, jti, the event, `sid`
 * (always: every session has one) and `sub` (the client's view of the user, pairwise
 * where the client is); never a nonce. Signed like the client's ID tokens.
 */
export async function logoutToken(rt: Runtime, tenant: TenantContext, client: ClientRecord, session: LoggedOutSession): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const payload = {
    iss: tenant.issuer,
    sub: subjectFor(rt, tenant, client, session.user),
    aud: client.clientId,
    iat: now,
    exp: now + LOGOUT_TOKEN_TTL_SECONDS,
    jti: randomBytes(16).toString('base64url'),
    events: { [BACKCHANNEL_LOGOUT_EVENT]: {} },
    sid: session.sid,
  };
  return signForClient(rt, tenant, client, client.idTokenSignedResponseAlg || tenant.settings.signingAlg, payload, LOGOUT_TOKEN_TYP);
}

/**
 * One POST of `logout_token` (section 2.5). 200/204 (any 2xx) is success; a 4xx means the
 * RP refused this token, which another attempt would not change; 5xx, 408, 429, timeouts
 * and network errors are retried. Sent through the outbound policy (src/outbound/):
 * redirects and internal addresses are refused, and not retried.
 */
export async function postLogoutToken(uri: string, token: string): Promise<{ outcome: LogoutOutcome; status: number | null }> {
  try {
    const res = await outboundFetch(uri, {
      purpose: 'backchannel_logout',
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'cache-control': 'no-store' },
      body: new URLSearchParams({ logout_token: token }).toString(),
      redirect: 'error',
      timeoutMs: ATTEMPT_TIMEOUT_MS,
      maxBytes: 64 * 1024,
    });
    if (res.status >= 200 && res.status < 300) return { outcome: 'delivered', status: res.status };
    const retry = res.status >= 500 || res.status === 408 || res.status === 429;
    return { outcome: retry ? 'retry' : 'refused', status: res.status };
  } catch (err) {
    // The policy's refusal (an internal address, a redirect) would be the same next time.
    if (err instanceof OutboundError && (err.code === 'ERR_OUTBOUND_FORBIDDEN' || err.code === 'ERR_OUTBOUND_REDIRECT'))
      return { outcome: 'refused', status: null };
    return { outcome: 'retry', status: null };
  }
}

/**
 * Back-Channel Logout 1.0: a logout token to every client of the session that registered
 * a backchannel_logout_uri. Returns once the first attempts are done or USER_WAIT_MS has
 * passed, whichever is first; everything else continues in the background.
 */
export async function notifyBackChannel(
  rt: Runtime,
  tenant: TenantContext,
  session: LoggedOutSession,
  clients: ClientRecord[],
  log: Logger,
): Promise<number> {
  const targets = clients.filter((c) => clientLogoutMetadata(c).backchannelLogoutUri);
  if (!targets.length) return 0;
  const first = targets.map(async (client) => {
    const uri = clientLogoutMetadata(client).backchannelLogoutUri!;
    const clientLog = log.child({ tenant: tenant.slug, clientId: client.clientId });
    try {
      const token = await logoutToken(rt, tenant, client, session);
      // Stored with its retry schedule (events/logout-delivery.ts): a restart keeps it.
      await rt.logoutDeliveries.enqueue(tenant, client.clientId, uri, token, new Date(decodeJwt(token).exp! * 1000));
    } catch (err) {
      clientLog.warn({ err }, 'back-channel logout token could not be made');
    }
  });
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    Promise.all(first),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, USER_WAIT_MS);
      timer.unref();
    }),
  ]);
  clearTimeout(timer);
  return targets.length;
}
