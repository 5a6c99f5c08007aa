import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { EncryptedBlob } from './key-record.js';

/**
 * Envelope encryption under GATEHOUSE_MASTER_KEY (AES-256-GCM). Each blob records which
 * master key sealed it, so the master key can be rotated: the new key seals, the
 * previous ones (GATEHOUSE_MASTER_KEY_PREVIOUS) still open.
 */
export class Envelope {
  private readonly current: { id: string; key: Buffer };
  private readonly byId = new Map<string, Buffer>();
  /**
   * Key of the keyed hashes (client secrets, tokens, pairwise subjects). It must survive a
   * master key rotation, so the deployment's own random key is installed at start
   * (boot/platform-secrets.ts); until then a key derived from the master key stands in.
   */
  private hashKey: Buffer;

  constructor(masterKey: Buffer, previous: Buffer[] = []) {
    if (masterKey.length !== 32) throw new Error('the master key must be 32 bytes');
    this.current = { id: Envelope.keyId(masterKey), key: masterKey };
    for (const k of [masterKey, ...previous]) this.byId.set(Envelope.keyId(k), k);
    this.hashKey = createHmac('sha256', masterKey).update('gatehouse secret hashing v1').digest();
  }

  /** Installs the deployment's hashing key (see boot/platform-secrets.ts). */
  useHashKey(key: Buffer): void {
    if (key.length !== 32) throw new Error('the hashing key must be 32 bytes');
    this.hashKey = key;
    this.tokenKey = undefined;
  }

  /** Key of self-contained tokens: derived from the deployment key, so it survives a master key rotation too. */
  private tokenKey: Buffer | undefined;

  /**
   * Seals a self-contained token (a refresh token's claims): AES-256-GCM, `context`
   * bound as additional data, compact base64url of iv | ciphertext | tag.
   */
  sealToken(plaintext: Buffer | string, context: string): string {
    this.tokenKey ??= createHmac('sha256', this.hashKey).update('gatehouse token sealing v1').digest();
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.tokenKey, iv);
    cipher.setAAD(Buffer.from(context));
    return Buffer.concat([iv, cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]).toString('base64url');
  }

  /** The plaintext of a sealToken result for the same context; null for anything else (forged, altered, other context). */
  openToken(token: string, context: string): Buffer | null {
    const raw = Buffer.from(token, 'base64url');
    if (raw.length < 12 + 16 + 1 || raw.toString('base64url') !== token) return null;
    this.tokenKey ??= createHmac('sha256', this.hashKey).update('gatehouse token sealing v1').digest();
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.tokenKey, raw.subarray(0, 12));
      decipher.setAAD(Buffer.from(context));
      decipher.setAuthTag(raw.subarray(raw.length - 16));
      return Buffer.concat([decipher.update(raw.subarray(12, raw.length - 16)), decipher.final()]);
    } catch {
      return null;
    }
  }

  static keyId(key: Buffer): string {
    return createHash('sha256').update('gatehouse master key id').update(key).digest('hex').slice(0, 16);
  }

  get currentKeyId(): string {
    return this.current.id;
  }

  /** `context` is bound as additional data, so a blob cannot be moved to another record. */
  seal(plaintext: Buffer | string, context: string): EncryptedBlob {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.current.key, iv);
    cipher.setAAD(Buffer.from(context));
    const ct = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return { mk: this.current.id, iv: iv.toString('base64'), tag: cipher.getAuthTag().toString('base64'), ct: ct.toString('base64') };
  }

  open(blob: EncryptedBlob, context: string): Buffer {
    const key = this.byId.get(blob.mk);
    if (!key) throw new Error(`data was encrypted with master key ${blob.mk}, which is not configured`);
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(blob.iv, 'base64'));
    decipher.setAAD(Buffer.from(context));
    decipher.setAuthTag(Buffer.from(blob.tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(blob.ct, 'base64')), decipher.final()]);
  }

  /**
   * Hash of a high-entropy secret (client secrets, opaque tokens). Those are 256-bit
   * random values, so a keyed fast hash suffices and keeps the token endpoint fast;
   * passwords use argon2id instead.
   */
  hashSecret(secret: string): string {
    return createHmac('sha256', this.hashKey).update(secret).digest('base64url');
  }

  /**
   * HMAC-SHA256 of `data` under a key derived from the master key for one `purpose`
   * (e.g. pairwise subject identifiers), base64url. Deterministic: the same input gives
   * the same output for as long as the master key is the same.
   */
  keyedHash(purpose: string, data: string): string {
    let key = this.purposeKeys.get(purpose);
    if (!key) {
      key = createHmac('sha256', this.current.key).update(`gatehouse ${purpose} v1`).digest();
      this.purposeKeys.set(purpose, key);
    }
    return createHmac('sha256', key).update(data).digest('base64url');
  }

  private readonly purposeKeys = new Map<string, Buffer>();

  /** Constant-time comparison of a presented secret against a stored hash. */
  verifySecret(secret: string, storedHash: string): boolean {
    const a = Buffer.from(this.hashSecret(secret));
    const b = Buffer.from(storedHash);
    return a.length === b.length && timingSafeEqual(a, b);
  }
}
