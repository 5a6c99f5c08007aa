import { InputError } from './errors.js';

/** An absolute URL given for `field`, parsed; anything else is an InputError naming the field. */
export function parseAbsoluteUrl(value: unknown, field: string): URL {
  if (typeof value !== 'string') throw new InputError(field, 'must be a URL');
  try {
    return new URL(value);
  } catch {
    throw new InputError(field, 'must be an absolute URL');
  }
}
