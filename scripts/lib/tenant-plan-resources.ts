import { isDeepStrictEqual } from 'node:util';
import { validateResourceServer } from '../../src/resources/resource-server-input.js';
import type { TenantFile, TenantFileResourceServer } from '../../src/tenant-files/tenant-file.js';
import type { Change, PlanOptions } from './tenant-plan.js';
import type { CurrentResourceServer, CurrentTenant } from './tenant-state.js';

/**
 * Plan for a tenant file's resource servers (RFC 8707, docs/token-services.md "Resource
 * indicators"): compared in the form the API shows them, defaults filled in, so a file and
 * its export plan nothing. Resource servers the file does not mention stay unless `prune`.
 */

/** A file's resource server as the API would show it. */
export function desiredResourceServer(r: TenantFileResourceServer): CurrentResourceServer {
  const d = validateResourceServer({ ...r, accessTokenFormat: r.accessTokenFormat === 'OPAQUE' ? 'opaque' : 'jwt' });
  return { ...d, accessTokenFormat: d.accessTokenFormat === 'opaque' ? 'OPAQUE' : 'JWT' };
}

const show = (v: unknown): string => JSON.stringify(v);

export function planResourceServers(file: TenantFile, current: CurrentTenant | null, opts: PlanOptions = {}): Change[] {
  const slug = file.slug;
  const changes: Change[] = [];
  const have = new Map((current?.resourceServers ?? []).map((r) => [r.identifier, r]));
  for (const r of file.resourceServers ?? []) {
    const want = desiredResourceServer(r);
    const old = have.get(want.identifier);
    if (!old) {
      changes.push({
        op: '+',
        kind: 'resourceServer',
        id: want.identifier,
        details: [want.accessTokenFormat],
        mutation: `mutation($slug: String!, $input: CreateResourceServerInput!) { createResourceServer(tenant: $slug, input: $input) { identifier } }`,
        variables: { slug, input: want },
      });
      continue;
    }
    if (isDeepStrictEqual({ ...old }, want)) continue;
    const { identifier, ...input } = want;
    changes.push({
      op: '~',
      kind: 'resourceServer',
      id: identifier,
      details: (Object.keys(input) as (keyof typeof input)[])
        .filter((k) => !isDeepStrictEqual(old[k], want[k]))
        .map((k) => `${k}: ${show(old[k])} → ${show(want[k])}`),
      mutation: `mutation($slug: String!, $identifier: String!, $input: UpdateResourceServerInput!) { updateResourceServer(tenant: $slug, identifier: $identifier, input: $input) { identifier } }`,
      variables: { slug, identifier, input },
    });
  }
  if (opts.prune && current) {
    const keep = new Set((file.resourceServers ?? []).map((r) => r.identifier.trim()));
    for (const identifier of have.keys()) {
      if (!keep.has(identifier))
        changes.push({
          op: '-',
          kind: 'resourceServer',
          id: identifier,
          details: [],
          mutation: `mutation($slug: String!, $identifier: String!) { deleteResourceServer(tenant: $slug, identifier: $identifier) }`,
          variables: { slug, identifier },
        });
    }
  }
  return changes;
}

/** The tenant's resource servers back as tenant-file entries, defaults left out. */
export function exportResourceServers(t: CurrentTenant): Pick<TenantFile, 'resourceServers'> {
  if (!t.resourceServers.length) return {};
  return {
    resourceServers: t.resourceServers.map((r) => ({
      identifier: r.identifier,
      ...(r.name !== r.identifier ? { name: r.name } : {}),
      ...(r.scopes.length ? { scopes: r.scopes } : {}),
      ...(r.accessTokenFormat === 'OPAQUE' ? { accessTokenFormat: 'OPAQUE' as const } : {}),
      ...(r.accessTokenTtl !== null ? { accessTokenTtl: r.accessTokenTtl } : {}),
      ...(r.allowedClients !== null ? { allowedClients: r.allowedClients } : {}),
    })),
  };
}
