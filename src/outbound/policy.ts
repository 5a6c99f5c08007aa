import { lookup } from 'node:dns/promises';
import { outboundDefaults } from '../config/defaults.js';
import { addressAllowed, emptyAllowList, hostAllowed, type AllowList } from './allow-list.js';
import { isLoopback, specialRange } from './ranges.js';

/** The outbound settings of the process (config/index.ts reads them from the environment). */
export interface OutboundSettings {
  allow: AllowList;
  /**
   * Development and test only (GATEHOUSE_OUTBOUND_ALLOW_LOOPBACK): loopback addresses
   * may be called, over http too, so local receivers work.
   */
  allowLoopback: boolean;
  timeoutMs: number;
  maxBytes: number;
}

export const strictOutboundSettings = (): OutboundSettings => ({
  allow: emptyAllowList(),
  allowLoopback: false,
  timeoutMs: outboundDefaults.timeoutMs,
  maxBytes: outboundDefaults.maxBytes,
});

/**
 * Process-wide, like the environment it comes from: the URL checks run inside pure
 * validators that have no runtime at hand. Until a runtime installs its settings, the
 * strictest policy applies (fail closed).
 */
let current: OutboundSettings = strictOutboundSettings();
let warned = false;

/** Installs the settings (boot/runtime.ts); warns once per process when loopback is open. */
export function useOutboundSettings(settings: OutboundSettings, warn: (msg: string) => void = () => undefined): void {
  current = settings;
  if (settings.allowLoopback && !warned) {
    warned = true;
    warn(
      'GATEHOUSE_OUTBOUND_ALLOW_LOOPBACK is on: webhooks, jwks_uri and logout URIs may point at this machine (http or https). Development and tests only.',
    );
  }
}

export const outboundSettings = (): OutboundSettings => current;

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}
export type OutboundResolver = (host: string) => Promise<ResolvedAddress[]>;

const systemResolver: OutboundResolver = async (host) =>
  (await lookup(host, { all: true, verbatim: true })).map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));
let resolver: OutboundResolver = systemResolver;

/**
 * Tests point names at chosen addresses (no external DNS in the test environment):
 * the connect-time check sees exactly what the resolver answers. No argument restores
 * the system resolver.
 */
export function setOutboundResolver(r?: OutboundResolver): void {
  resolver = r ?? systemResolver;
}
export const outboundResolver = (): OutboundResolver => resolver;

/** `localhost` and `*.localhost` are loopback by definition (RFC 6761 6.3), whatever DNS says. */
export const isLocalhostName = (host: string): boolean => /^(.+\.)?localhost\.?$/i.test(host);

/**
 * Whether connecting to `ip`, reached through `host`, is refused: the reason, or null.
 * `httpOnly` (an http URL): only the development loopback exception can allow it.
 */
export function addressVerdict(
  settings: OutboundSettings,
  host: string,
  ip: string,
  opts: { http?: boolean; noDevelopmentExceptions?: boolean } = {},
): string | null {
  const loopbackOpen = settings.allowLoopback && !opts.noDevelopmentExceptions;
  if (opts.http) return loopbackOpen && isLoopback(ip) ? null : 'http is refused';
  if (hostAllowed(settings.allow, host) || addressAllowed(settings.allow, ip)) return null;
  const range = specialRange(ip);
  if (!range) return null;
  if (loopbackOpen && isLoopback(ip)) return null;
  // Never the address itself: messages reach error descriptions, which echo no input.
  return `a ${range} address`;
}
