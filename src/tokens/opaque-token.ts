import { randomBytes } from 'node:crypto';

/** 256 random bits, base64url: authorization codes and opaque access tokens (stored only as keyed hashes). */
export const newOpaqueToken = (): string => randomBytes(32).toString('base64url');
