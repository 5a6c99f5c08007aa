import { randomInt } from 'node:crypto';

/**
 * User codes people read off a TV and type on a phone (RFC 8628 6.1): 8 characters from
 * 20 consonants without look-alikes (no vowels, so no words; no I/O/0/1), shown as
 * `WDJB-MJHT`. 20^8 ≈ 2.6·10^10 codes against a handful live at a time and a throttled
 * entry form (interaction/device/enter-code.ts) make guessing hopeless.
 */
export const USER_CODE_ALPHABET = 'BCDFGHJKLMNPQRSTVWXZ';
const LENGTH = 8;

/** A fresh random code, normalised (no dash). */
export function newUserCode(): string {
  let code = '';
  for (let i = 0; i < LENGTH; i++) code += USER_CODE_ALPHABET[randomInt(USER_CODE_ALPHABET.length)];
  return code;
}

/** `WDJBMJHT` → `WDJB-MJHT`, as devices display it. */
export const formatUserCode = (code: string): string => `${code.slice(0, 4)}-${code.slice(4)}`;

/**
 * What a person typed → the normalised code, or null if it cannot be one. Case does not
 * matter; dashes and spaces are optional anywhere.
 */
export function normalizeUserCode(typed: string): string | null {
  const code = typed.slice(0, 64).toUpperCase().replace(/[\s-]/g, '');
  if (code.length !== LENGTH) return null;
  for (const c of code) if (!USER_CODE_ALPHABET.includes(c)) return null;
  return code;
}
