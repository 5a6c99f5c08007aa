import { LRUCache } from 'lru-cache';

/**
 * The resource-server middleware's default DPoP `jti` replay cache: this process's
 * memory, each entry kept until its proof would be too old anyway. An API with several
 * replicas passes a shared `dpop.recordJti` instead (docs/token-services.md "DPoP").
 */
export function memoryJtiCache(max = 100_000): (jkt: string, jti: string, until: number) => Promise<boolean> {
  const seen = new LRUCache<string, true>({ max });
  return (jkt, jti, until) => {
    const key = `${jkt}|${jti}`;
    if (seen.has(key)) return Promise.resolve(false);
    seen.set(key, true, { ttl: Math.max(1, until * 1000 - Date.now()) });
    return Promise.resolve(true);
  };
}
