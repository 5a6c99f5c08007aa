import { isIP } from 'node:net';
import { OutboundError } from './errors.js';
import { addressVerdict, isLocalhostName, outboundSettings } from './policy.js';
import { hostAllowed } from './allow-list.js';

export interface CheckOptions {
  /**
   * Ignore the development loopback exception: for anonymous (OPEN) registrants, who must
   * never aim the provider at this machine, even on a developer's laptop.
   */
  noDevelopmentExceptions?: boolean;
}

/**
 * The synchronous half of the outbound policy, for configuration time (GraphQL input,
 * tenant files, client registration) and before every request: https only (http only to
 * loopback under the development switch), no credentials in the URL, and no host that
 * is an internal address literal or a localhost name. Host names are judged again by
 * the addresses they resolve to, when the request connects (fetch.ts). Returns the
 * parsed URL; throws OutboundError ERR_OUTBOUND_FORBIDDEN.
 */
export function checkOutboundUrl(input: string | URL, purpose: string, opts: CheckOptions = {}): URL {
  const refuse = (why: string): never => {
    throw new OutboundError('ERR_OUTBOUND_FORBIDDEN', why, purpose);
  };
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    return refuse('must be an absolute URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') refuse('must be an https URL');
  if (url.username || url.password) refuse('must not contain credentials');
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const settings = outboundSettings();
  const http = url.protocol === 'http:';
  if (isIP(host)) {
    const why = addressVerdict(settings, host, host, { http, noDevelopmentExceptions: opts.noDevelopmentExceptions });
    if (why) refuse(http ? 'must be an https URL' : `must not point at an internal address (${why})`);
  } else if (isLocalhostName(host)) {
    // Loopback by definition; the connect-time check holds the name to that too.
    const why = addressVerdict(settings, host, '127.0.0.1', { http, noDevelopmentExceptions: opts.noDevelopmentExceptions });
    if (why) refuse(http ? 'must be an https URL' : 'must not point at this machine (localhost)');
  } else if (http) {
    refuse('must be an https URL');
  } else if (!host.includes('.') && !hostAllowed(settings.allow, host)) {
    // A single-label name resolves through the platform's search domains: internal by nature.
    refuse('must name a fully qualified public host');
  }
  return url;
}
