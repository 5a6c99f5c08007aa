/**
 * DPoP (RFC 9449): proof verification (verify-proof.ts, provider-free), server nonces
 * (nonce.ts) and the provider's request check (check-proof.ts). docs/token-services.md "DPoP".
 */
export { checkDpopProof, dpopChallenge, dpopNonceHeaders, dpopProofRequired, type DpopRequest, type DpopSurface } from './check-proof.js';
export { DPOP_JKT, dpopOffered, sameJkt } from './code-binding.js';
export { acceptDpopNonce, currentDpopNonce } from './nonce.js';
export { accessTokenHash, DPOP_SIGNING_ALGS, DpopProofError, normalizeHtu, verifyProof, type VerifiedProof } from './verify-proof.js';
export { checkBinding, invalidTokenFor, resourceProof, type PresentationScheme, type PresentedAccessToken } from './resource-binding.js';
