import type { SigningKeyRecord } from './key-record.js';

/**
 * All signing keys of one tenant live in one document so that a rotation (which changes
 * several keys at once) is one atomic compare-and-set on `version`, without transactions.
 */
export interface KeysetRecord {
  _id: string;
  tenantId: string;
  version: number;
  keys: SigningKeyRecord[];
}
