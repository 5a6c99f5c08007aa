import type { KeyRing } from '../keys/key-ring.js';
import type { KeyRings } from '../keys/key-rings.js';
import { answerFor, cachedJsonAnswers, type CachedAnswers } from './discovery.js';
import type { Answer, Endpoint, EndpointInput } from './endpoint.js';

export const JWKS_TYPE = 'application/jwk-set+json; charset=utf-8';

const answers = new WeakMap<KeyRing, CachedAnswers>();

function answerFromRing(ring: KeyRing, input: EndpointInput): Answer {
  let a = answers.get(ring);
  if (!a) {
    a = cachedJsonAnswers({ body: ring.jwksBody, etag: ring.etag }, JWKS_TYPE);
    answers.set(ring, a);
  }
  return answerFor(a, input);
}

/**
 * Public members of the tenant's NEXT, ACTIVE and RETIRED keys, from the cached key ring
 * (its answers are built once per ring). Synchronous when the ring is in memory.
 */
export const jwks =
  (keyRings: KeyRings): Endpoint =>
  (tenant, input) => {
    const ring = keyRings.peek(tenant);
    return ring ? answerFromRing(ring, input) : keyRings.get(tenant).then((r) => answerFromRing(r, input));
  };
