import { createHash } from 'node:crypto';
import { newId } from '../store/index.js';
import { DuplicateKeyError } from '../store/errors.js';
import type { TenantRecord } from './tenant-record.js';
import type { TenantContext } from './tenant-context.js';
import { recordAudit, SYSTEM_ACTOR } from '../events/audit.js';
import { crashPoint } from './crash-points.js';
import { ConflictError } from '../errors/domain-errors.js';
import { newTenantKeys } from '../keys/tenant-keys.js';
import type { Runtime } from '../runtime.js';
import { tenantDefaults } from '../config/defaults.js';
import {
  checkSigningAlgFamily,
  validateBranding,
  validateDisplayName,
  validateSettings,
  validateSlug,
  type TenantInput,
} from './tenants.js';

/**
 * How long a PENDING tenant's creator may go silent before the tenant counts as abandoned
 * (its creator crashed) and may be removed. The creator renews it after every step.
 */
export const PENDING_TENANT_MS = 10_000;
const POLL_MS = 250;

export interface CreateTenantOptions {
  allowReserved?: boolean;
  /**
   * What the caller asked for, in a stable form (e.g. a hash of the GraphQL input): a
   * retry with the same fingerprint takes over a PENDING tenant its predecessor left at
   * once; another input waits until the predecessor's time (PENDING_TENANT_MS) ran out.
   */
  fingerprint?: string;
  /**
   * Fills the tenant while it is still PENDING (scopes, clients …); returns its newest
   * context. Long work calls `keepAlive` now and then (it renews PENDING_TENANT_MS).
   */
  populate?: (tenant: TenantContext, keepAlive: () => Promise<void>) => Promise<TenantContext>;
}

const fingerprintOf = (input: TenantInput): string => createHash('sha256').update(JSON.stringify(input)).digest('base64url');

/**
 * Creates a tenant atomically, without transactions (FerretDB has none): the tenant
 * record is written first with state PENDING (invisible to every endpoint and list),
 * then its keys and whatever `populate` adds, and the tenant is made live last by one
 * conditional update. A crash at any point leaves a PENDING tenant that goes silent; once
 * PENDING_TENANT_MS passed, the next createTenant of that slug (a retry with the same
 * input waits for it) or the start-time sweeper removes it with everything under its id
 * and starts afresh — never a half tenant that a retry trips over.
 */
export async function createTenant(rt: Runtime, input: TenantInput, opts: CreateTenantOptions = {}): Promise<TenantContext> {
  validateSlug(input.slug, opts.allowReserved);
  const displayName = validateDisplayName(input.displayName);
  const settings = validateSettings(input.settings ?? {});
  const branding = validateBranding(input.branding);
  const effective = { ...tenantDefaults, ...settings };
  checkSigningAlgFamily(effective);
  const fingerprint = opts.fingerprint ?? fingerprintOf(input);

  const operationId = newId();
  let record: TenantRecord | null = null;
  const giveUpAt = Date.now() + 3 * PENDING_TENANT_MS;
  while (!record && Date.now() < giveUpAt) {
    const existing = await rt.store.tenants.findAnyBySlug(input.slug);
    if (existing) {
      if (existing.state !== 'PENDING') throw new ConflictError('slug', `a tenant "${input.slug}" already exists`);
      const p = existing.pending;
      const abandoned = !p || new Date(p.until).getTime() < Date.now();
      if (abandoned) {
        await discardPendingTenant(rt, existing, 'abandoned');
        continue;
      }
      if (p.fingerprint !== fingerprint) throw new ConflictError('slug', `a tenant "${input.slug}" is being created by another request`);
      // The same input: a retry after a crash, or the same request twice at once. Wait for
      // the other one to finish (then: already exists) or to go silent (then: take over).
      await new Promise((r) => setTimeout(r, POLL_MS));
      continue;
    }
    const now = new Date();
    const candidate: TenantRecord = {
      _id: newId(),
      slug: input.slug,
      displayName,
      branding,
      settings,
      state: 'PENDING',
      pending: { operationId, fingerprint, until: new Date(now.getTime() + PENDING_TENANT_MS) },
      revision: 1,
      createdAt: now,
      updatedAt: now,
    };
    try {
      await rt.store.tenants.insert(candidate);
      record = candidate;
    } catch (err) {
      if (!(err instanceof DuplicateKeyError)) throw err;
    }
  }
  if (!record) throw new ConflictError('slug', `a tenant "${input.slug}" is being created by another request`);
  crashPoint('createTenant:pending');

  const id = record._id;
  const keepAlive = async (): Promise<void> => {
    if (!(await rt.store.tenants.renewPending(id, operationId, new Date(Date.now() + PENDING_TENANT_MS)))) {
      throw new ConflictError('slug', `a tenant "${input.slug}" was taken over by another request while being created`);
    }
  };
  let ctx = rt.tenants.install(record);
  await ctx.store.keysets.create(await newTenantKeys(rt, id, effective.keyFamilies));
  crashPoint('createTenant:keys');
  await keepAlive();
  if (opts.populate) ctx = await opts.populate(ctx, keepAlive);
  crashPoint('createTenant:populated');

  const live = await rt.store.tenants.activate(record._id, operationId);
  if (!live) throw new ConflictError('slug', `a tenant "${input.slug}" was taken over by another request while being created`);
  ctx = rt.tenants.install(live);
  await rt.tenants.publishChange(live);
  crashPoint('createTenant:active');
  return ctx;
}

/**
 * Removes a PENDING tenant and everything under its id (one remover wins the record;
 * the data is removed by whoever won). Audited: the trail says a creation was undone.
 */
export async function discardPendingTenant(rt: Runtime, record: TenantRecord, why: 'abandoned' | 'retried'): Promise<boolean> {
  if (!(await rt.store.tenants.deletePending(record._id, record.pending?.operationId ?? ''))) return false;
  await rt.store.forTenant(record._id).deleteAll();
  await recordAudit(rt, {
    actor: SYSTEM_ACTOR,
    tenant: { id: record._id, slug: record.slug },
    operation: 'discardPendingTenant',
    targetType: 'Tenant',
    targetId: record.slug,
    outcome: 'SUCCESS',
    arguments: { reason: why },
    before: { slug: record.slug, pendingSince: record.createdAt },
  });
  rt.log.warn({ tenant: record.slug, reason: why }, 'a half-made tenant (PENDING since a crash or stop) was removed');
  return true;
}

/** At start: removes every PENDING tenant whose creator's time ran out (it crashed or stopped). */
export async function sweepPendingTenants(rt: Runtime): Promise<number> {
  let n = 0;
  for (const record of await rt.store.tenants.stalePending()) if (await discardPendingTenant(rt, record, 'abandoned')) n++;
  return n;
}
