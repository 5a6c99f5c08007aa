import type { Adapter, AdapterPayload } from 'oidc-provider';

/**
 * An unbounded in-memory adapter for the reference. oidc-provider's bundled
 * development adapter is an LRU of 1,000 entries, which evicts the codes made
 * beforehand (and live refresh tokens) under benchmark load; a production deployment
 * would use a store that does not forget, so the reference gets one. Expiry is
 * enforced on read, like the bundled adapter does.
 */
interface Entry {
  payload: AdapterPayload;
  expiresAt: number;
}

const store = new Map<string, Entry>();
const grants = new Map<string, Set<string>>();
const uids = new Map<string, string>();
const userCodes = new Map<string, string>();
const grantable = new Set(['AccessToken', 'AuthorizationCode', 'RefreshToken', 'DeviceCode', 'BackchannelAuthenticationRequest']);

// Expired entries are swept now and then so a long run does not grow without bound.
setInterval(() => {
  const now = Date.now();
  for (const [k, e] of store) if (e.expiresAt <= now) store.delete(k);
}, 30_000).unref();

export class BenchMemoryAdapter implements Adapter {
  constructor(private readonly model: string) {}

  private key(id: string): string {
    return `${this.model}:${id}`;
  }

  private get(key: string): AdapterPayload | undefined {
    const e = store.get(key);
    if (!e) return undefined;
    if (e.expiresAt <= Date.now()) {
      store.delete(key);
      return undefined;
    }
    return e.payload;
  }

  async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
    const key = this.key(id);
    store.set(key, { payload, expiresAt: expiresIn ? Date.now() + expiresIn * 1000 : Number.POSITIVE_INFINITY });
    if (this.model === 'Session' && payload.uid) uids.set(payload.uid, id);
    if (payload.userCode) userCodes.set(payload.userCode, id);
    if (grantable.has(this.model) && payload.grantId) {
      let set = grants.get(payload.grantId);
      if (!set) grants.set(payload.grantId, (set = new Set()));
      set.add(key);
    }
  }

  async find(id: string): Promise<AdapterPayload | undefined> {
    return this.get(this.key(id));
  }

  async findByUid(uid: string): Promise<AdapterPayload | undefined> {
    const id = uids.get(uid);
    return id ? this.find(id) : undefined;
  }

  async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
    const id = userCodes.get(userCode);
    return id ? this.find(id) : undefined;
  }

  async consume(id: string): Promise<void> {
    const p = this.get(this.key(id));
    if (p) p.consumed = Math.floor(Date.now() / 1000);
  }

  async destroy(id: string): Promise<void> {
    const key = this.key(id);
    const p = store.get(key)?.payload;
    store.delete(key);
    if (p?.grantId) grants.get(p.grantId)?.delete(key);
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    for (const key of grants.get(grantId) ?? []) store.delete(key);
    grants.delete(grantId);
  }
}
