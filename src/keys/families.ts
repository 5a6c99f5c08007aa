import { signingAlgs, type SigningAlg } from '../config/defaults.js';

/**
 * Key families a tenant may publish and sign with (tenant setting keyFamilies): RSA keys
 * (RS256 and PS256, one key pair each), EC P-256 (ES256) and OKP Ed25519 (EdDSA). Some
 * verifiers only understand RSA and EC keys and stop at an OKP key in a JWKS, so a tenant
 * can leave a family out. See docs/openid-connect.md "Key families".
 */
export const KEY_FAMILIES = ['RSA', 'EC', 'OKP'] as const;
export type KeyFamily = (typeof KEY_FAMILIES)[number];

const FAMILY_OF: Record<SigningAlg, KeyFamily> = { RS256: 'RSA', PS256: 'RSA', ES256: 'EC', EdDSA: 'OKP' };

/** The family of a JWS algorithm the tenant signs with; undefined for anything else (HS256). */
export const familyOf = (alg: string): KeyFamily | undefined => FAMILY_OF[alg as SigningAlg];

/** The tenant-key algorithms of some families, in the order of signingAlgs. */
export const algsOf = (families: readonly string[]): SigningAlg[] => signingAlgs.filter((alg) => families.includes(FAMILY_OF[alg]));
