import { clientLogoutMetadata } from '../../clients/client-logout-metadata.js';
import type { ClientRecord } from '../../clients/client-record.js';
import type { TenantContext } from '../../tenancy/tenant-context.js';
import { appendQuery } from './append-query.js';

export interface FrontChannelFrame {
  clientId: string;
  url: string;
  /** For the page's CSP frame-src: exactly these origins may be framed. */
  origin: string;
}

/**
 * OIDC Front-Channel Logout 1.0 section 3: the signed-out page loads each client's
 * frontchannel_logout_uri in an iframe, with `iss` and `sid` when the client registered
 * frontchannel_logout_session_required (then the RP can tell which session ended).
 */
export function frontChannelFrames(tenant: TenantContext, sid: string, clients: ClientRecord[]): FrontChannelFrame[] {
  const frames: FrontChannelFrame[] = [];
  for (const client of clients) {
    const meta = clientLogoutMetadata(client);
    if (!meta.frontchannelLogoutUri) continue;
    let origin: string;
    try {
      origin = new URL(meta.frontchannelLogoutUri).origin;
    } catch {
      continue;
    }
    const url = meta.frontchannelLogoutSessionRequired
      ? appendQuery(meta.frontchannelLogoutUri, { iss: tenant.issuer, sid })
      : meta.frontchannelLogoutUri;
    frames.push({ clientId: client.clientId, url, origin });
  }
  return frames;
}
