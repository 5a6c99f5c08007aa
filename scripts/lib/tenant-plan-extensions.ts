import { isDeepStrictEqual } from 'node:util';
import { validateClaimResolver, validateHook } from '../../src/claims/claim-resolvers.js';
import { validateEventWebhook } from '../../src/events/event-webhooks.js';
import type { TenantFile, TenantFileClaimResolver, TenantFileEventWebhook, TenantFileHook } from '../../src/tenant-files/tenant-file.js';
import type { Change, PlanOptions } from './tenant-plan.js';
import type { CurrentClaimResolver, CurrentEventWebhook, CurrentHook, CurrentTenant } from './tenant-state.js';

/**
 * Plan for a tenant file's claim resolvers, hooks and event webhooks (docs/claims-and-hooks.md):
 * each is compared in the form the API shows it, defaults filled in, so a file and its
 * export plan nothing. Entries the file does not mention stay unless `prune`.
 */

/** A file's resolver as the API would show it. */
export function desiredResolver(r: TenantFileClaimResolver): CurrentClaimResolver {
  const d = validateClaimResolver(r);
  return {
    name: d.name,
    kind: d.kind,
    targets: d.targets,
    mapping: d.mapping
      ? {
          path: d.mapping.path ?? null,
          template: d.mapping.template ?? null,
          constant: d.mapping.constant ? (JSON.parse(d.mapping.constant) as unknown) : null,
          type: d.mapping.type,
        }
      : null,
    code: d.code ?? null,
    webhook: d.webhook ?? null,
  };
}

export function desiredHook(h: TenantFileHook): CurrentHook {
  const d = validateHook(h);
  return { point: d.point, kind: d.kind, code: d.code ?? null, webhook: d.webhook ?? null, failClosed: d.failClosed ?? false };
}

export function desiredEventWebhook(w: TenantFileEventWebhook): CurrentEventWebhook {
  return validateEventWebhook(w);
}

const show = (v: unknown): string => (v === undefined ? '(default)' : JSON.stringify(v));

function details(have: object | undefined, want: object): string[] {
  if (!have) return [];
  const h = have as Record<string, unknown>;
  const w = want as Record<string, unknown>;
  return Object.keys(w)
    .filter((k) => !isDeepStrictEqual(h[k], w[k]))
    .map((k) => `${k}: ${show(h[k])} → ${show(w[k])}`);
}

export function planExtensions(file: TenantFile, current: CurrentTenant | null, opts: PlanOptions = {}): Change[] {
  const slug = file.slug;
  const changes: Change[] = [];

  const haveResolvers = new Map((current?.claimResolvers ?? []).map((r) => [r.name, r]));
  for (const r of file.claimResolvers ?? []) {
    const want = desiredResolver(r);
    const have = haveResolvers.get(want.name);
    if (have && isDeepStrictEqual({ ...have }, want)) continue;
    changes.push({
      op: have ? '~' : '+',
      kind: 'claimResolver',
      id: want.name,
      details: have ? details(have, want) : [want.kind],
      mutation: `mutation($slug: String!, $input: ClaimResolverInput!) { setClaimResolver(tenant: $slug, input: $input) { name } }`,
      variables: { slug, input: r },
    });
  }
  const haveHooks = new Map((current?.hooks ?? []).map((h) => [h.point, h]));
  for (const h of file.hooks ?? []) {
    const want = desiredHook(h);
    const have = haveHooks.get(want.point);
    if (have && isDeepStrictEqual({ ...have }, want)) continue;
    changes.push({
      op: have ? '~' : '+',
      kind: 'hook',
      id: want.point,
      details: have ? details(have, want) : [want.kind],
      mutation: `mutation($slug: String!, $input: HookInput!) { setHook(tenant: $slug, input: $input) { point } }`,
      variables: { slug, input: h },
    });
  }
  const haveWebhooks = new Map((current?.eventWebhooks ?? []).map((w) => [w.name, w]));
  for (const w of file.eventWebhooks ?? []) {
    const want = desiredEventWebhook(w);
    const have = haveWebhooks.get(want.name);
    if (have && isDeepStrictEqual({ ...have, eventTypes: [...have.eventTypes].sort() }, want)) continue;
    changes.push({
      op: have ? '~' : '+',
      kind: 'eventWebhook',
      id: want.name,
      details: have ? details(have, want) : [want.url],
      mutation: `mutation($slug: String!, $input: EventWebhookInput!) { setEventWebhook(tenant: $slug, input: $input) { webhook { name } secret } }`,
      variables: { slug, input: want },
    });
  }
  if (opts.prune && current) {
    const keepR = new Set((file.claimResolvers ?? []).map((r) => r.name.trim()));
    for (const name of haveResolvers.keys()) {
      if (!keepR.has(name))
        changes.push({
          op: '-',
          kind: 'claimResolver',
          id: name,
          details: [],
          mutation: `mutation($slug: String!, $name: String!) { deleteClaimResolver(tenant: $slug, name: $name) }`,
          variables: { slug, name },
        });
    }
    const keepH = new Set((file.hooks ?? []).map((h) => h.point));
    for (const point of haveHooks.keys()) {
      if (!keepH.has(point))
        changes.push({
          op: '-',
          kind: 'hook',
          id: point,
          details: [],
          mutation: `mutation($slug: String!, $point: HookPoint!) { deleteHook(tenant: $slug, point: $point) }`,
          variables: { slug, point },
        });
    }
    const keepW = new Set((file.eventWebhooks ?? []).map((w) => w.name.trim()));
    for (const name of haveWebhooks.keys()) {
      if (!keepW.has(name))
        changes.push({
          op: '-',
          kind: 'eventWebhook',
          id: name,
          details: [],
          mutation: `mutation($slug: String!, $name: String!) { deleteEventWebhook(tenant: $slug, name: $name) }`,
          variables: { slug, name },
        });
    }
  }
  return changes;
}

/** The tenant's resolvers, hooks and webhooks back as tenant-file entries, defaults left out. */
export function exportExtensions(t: CurrentTenant): Pick<TenantFile, 'claimResolvers' | 'hooks' | 'eventWebhooks'> {
  const out: Pick<TenantFile, 'claimResolvers' | 'hooks' | 'eventWebhooks'> = {};
  if (t.claimResolvers.length) {
    out.claimResolvers = t.claimResolvers.map((r) => {
      const e: TenantFileClaimResolver = { name: r.name, kind: r.kind };
      if (r.mapping) {
        const m = r.mapping;
        if (m.path !== null) e.mapping = { path: m.path, type: m.type };
        else {
          const source = m.template !== null ? { template: m.template } : { constant: m.constant };
          // The type is left out where the source implies it (a template's STRING, a constant's own type).
          const implied = desiredResolver({ name: r.name, kind: 'MAPPING', mapping: source }).mapping!.type;
          e.mapping = implied === m.type ? source : { ...source, type: m.type };
        }
      }
      if (r.code) e.code = r.code;
      if (r.webhook) e.webhook = { url: r.webhook.url, timeoutMs: r.webhook.timeoutMs, cacheTtlSeconds: r.webhook.cacheTtlSeconds };
      const implied = desiredResolver({ ...e, targets: undefined, webhook: e.webhook ? { url: e.webhook.url } : undefined });
      if (!isDeepStrictEqual(implied.targets, r.targets)) e.targets = r.targets;
      if (e.webhook && implied.webhook) {
        if (implied.webhook.timeoutMs === e.webhook.timeoutMs) delete e.webhook.timeoutMs;
        if (implied.webhook.cacheTtlSeconds === e.webhook.cacheTtlSeconds) delete e.webhook.cacheTtlSeconds;
      }
      return reorder(e, ['name', 'kind', 'targets', 'mapping', 'code', 'webhook']);
    });
  }
  if (t.hooks.length) {
    out.hooks = t.hooks.map((h) => {
      const e: TenantFileHook = { point: h.point, kind: h.kind };
      if (h.code) e.code = h.code;
      if (h.webhook) {
        e.webhook = { url: h.webhook.url };
        if (desiredHook(e).webhook!.timeoutMs !== h.webhook.timeoutMs) e.webhook.timeoutMs = h.webhook.timeoutMs;
      }
      if (h.failClosed) e.failClosed = true;
      return e;
    });
  }
  if (t.eventWebhooks.length) {
    out.eventWebhooks = t.eventWebhooks.map((w) => ({
      name: w.name,
      url: w.url,
      ...(w.eventTypes.length ? { eventTypes: [...w.eventTypes].sort() } : {}),
      ...(w.enabled ? {} : { enabled: false }),
    }));
  }
  return out;
}

function reorder<T extends object>(o: T, keys: string[]): T {
  const r = o as Record<string, unknown>;
  return Object.fromEntries(keys.filter((k) => r[k] !== undefined).map((k) => [k, r[k]])) as T;
}
