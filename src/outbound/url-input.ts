import { checkOutboundUrl, OutboundError } from './index.js';
import { InputError } from '../errors/domain-errors.js';

/** An absolute URL given for `field`, parsed; anything else is an InputError naming the field. */
export function parseAbsoluteUrl(value: unknown, field: string): URL {
  if (typeof value !== 'string') throw new InputError(field, 'must be a URL');
  try {
    return new URL(value);
  } catch {
    throw new InputError(field, 'must be an absolute URL');
  }
}

/**
 * A URL the provider will call (jwks_uri, backchannel_logout_uri, …) must pass the
 * outbound policy's configuration-time check; a refusal is an InputError naming the field.
 */
export function outboundInput(url: URL, field: string, purpose: string): void {
  try {
    checkOutboundUrl(url, purpose);
  } catch (err) {
    if (err instanceof OutboundError) throw new InputError(field, err.message);
    throw err;
  }
}
