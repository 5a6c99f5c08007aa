/**
 * The outbound-request policy: every server-side request to a URL a tenant admin, client
 * or registrant chose goes through `outboundFetch`; configuration inputs are checked with
 * `checkOutboundUrl`. See docs/security.md.
 */
export { outboundFetch, type OutboundInit, type OutboundResponse } from './fetch.js';
export { checkOutboundUrl, type CheckOptions } from './check-url.js';
export { OutboundError, isOutboundError, type OutboundErrorCode } from './errors.js';
export {
  outboundSettings,
  setOutboundResolver,
  strictOutboundSettings,
  useOutboundSettings,
  type OutboundResolver,
  type OutboundSettings,
} from './policy.js';
export { parseAllowList, type AllowList } from './allow-list.js';
export { specialRange } from './ranges.js';
