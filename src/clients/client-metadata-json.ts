import type { ClientRecord } from './client-record.js';

const cache = new WeakMap<ClientRecord, Record<string, unknown>>();

/**
 * The client's RFC 7591 metadata object, parsed once per (cached, immutable) record. A
 * record that somehow holds invalid JSON reads as empty metadata rather than failing
 * every request of that client.
 */
export function clientMetadataJson(client: ClientRecord): Record<string, unknown> {
  let meta = cache.get(client);
  if (meta) return meta;
  try {
    const v = JSON.parse(client.metadata || '{}') as unknown;
    meta = typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    meta = {};
  }
  cache.set(client, meta);
  return meta;
}
