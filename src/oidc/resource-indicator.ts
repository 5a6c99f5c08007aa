import { oauthError } from '../errors/oauth-error.js';

/** RFC 8707 2: a `resource` is an absolute URI without a fragment; anything else is invalid_target. */
export function checkResourceUri(resource: string): void {
  let url: URL;
  try {
    url = new URL(resource);
  } catch {
    throw oauthError('invalid_target', 'resource must be an absolute URI');
  }
  if (url.hash || resource.includes('#')) throw oauthError('invalid_target', 'resource must not contain a fragment');
}
