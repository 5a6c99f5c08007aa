import type { TenantContext } from '../tenancy/tenant-context.js';
import { decodeInteraction, encodeDetails, encodeFlash, encodeRequest, encodeResult } from './interaction-codec.js';
import type { Interaction, LoginFlash } from './interaction.js';
import type { InteractionDetails, InteractionPrompt, InteractionRecord, InteractionResult } from './interaction-record.js';

/**
 * The interaction state machine's named transitions (docs/architecture.md, "The interaction
 * state machine"). Each is one atomic compare-and-set on the state, so two tabs or a replayed
 * form cannot both move the same interaction: a transition that finds the interaction in
 * another state (or expired) changes nothing and answers false / null.
 */

const move = async (tenant: TenantContext, id: string, from: Interaction['state'], set: Partial<InteractionRecord>): Promise<boolean> =>
  (await tenant.store.interactions.transition(id, from, set)) !== null;

export async function findInteraction(tenant: TenantContext, id: string): Promise<Interaction | null> {
  const record = await tenant.store.interactions.find(id);
  return record ? decodeInteraction(record) : null;
}

export interface NewInteraction {
  id: string;
  browserHash: string;
  clientId: string;
  prompt: InteractionPrompt;
  request: unknown;
  details: InteractionDetails;
  result: InteractionResult;
  returnTo: string;
  /** Seconds the interaction lives (tenant setting interactionTtl). */
  ttl: number;
}

/** (new) → pending: the authorization endpoint hands the browser to a page. */
export async function createInteraction(tenant: TenantContext, init: NewInteraction): Promise<void> {
  const now = new Date();
  await tenant.store.interactions.insert({
    _id: init.id,
    browserHash: init.browserHash,
    clientId: init.clientId,
    prompt: init.prompt,
    state: 'pending',
    request: encodeRequest(init.request),
    details: encodeDetails(init.details),
    result: encodeResult(init.result),
    returnTo: init.returnTo,
    flash: null,
    createdAt: now,
    expiresAt: new Date(now.getTime() + init.ttl * 1000),
  });
  if (Math.random() < 0.02) void tenant.store.interactions.sweep().catch(() => undefined);
}

/** resuming → pending: the same authorization request needs a further page. */
export const reopenInteraction = (
  tenant: TenantContext,
  id: string,
  page: { prompt: InteractionPrompt; details: InteractionDetails; result: InteractionResult },
): Promise<boolean> =>
  move(tenant, id, 'resuming', {
    state: 'pending',
    prompt: page.prompt,
    details: encodeDetails(page.details),
    result: encodeResult(page.result),
    flash: null,
  });

/** pending → pending: the login page is shown again with a message (once). */
export const showLoginAgain = (tenant: TenantContext, ia: Interaction, flash: LoginFlash): Promise<boolean> =>
  move(tenant, ia.id, 'pending', { flash: encodeFlash(flash) });

/** pending → pending: the message is shown once; a reload shows a clean form. */
export async function takeFlash(tenant: TenantContext, ia: Interaction): Promise<LoginFlash | null> {
  if (!ia.flash) return null;
  await move(tenant, ia.id, 'pending', { flash: null });
  return ia.flash;
}

/** pending → pending: from the account choice to the login page ("sign in with another account"). */
export const switchToLogin = (tenant: TenantContext, ia: Interaction): Promise<boolean> =>
  move(tenant, ia.id, 'pending', {
    prompt: 'login',
    details: encodeDetails({ ...ia.details, loginReason: 'select_account', loginHint: undefined }),
  });

/** pending → completed, with the page's part added to the accumulated result. */
const complete = (tenant: TenantContext, ia: Interaction, result: InteractionResult): Promise<boolean> =>
  move(tenant, ia.id, 'pending', { state: 'completed', result: encodeResult(result), flash: null });

/** The user signed in on the login page. */
export const completeLogin = (tenant: TenantContext, ia: Interaction, login: NonNullable<InteractionResult['login']>): Promise<boolean> =>
  complete(tenant, ia, { ...ia.result, login });

/** The user allowed the request on the consent page. */
export const completeConsent = (
  tenant: TenantContext,
  ia: Interaction,
  consent: NonNullable<InteractionResult['consent']>,
): Promise<boolean> => complete(tenant, ia, { ...ia.result, consent });

/** The user continued with the signed-in account. */
export const completeAccountChoice = (tenant: TenantContext, ia: Interaction, sessionId: string): Promise<boolean> =>
  complete(tenant, ia, { ...ia.result, selectAccount: { sessionId } });

/** The user (or the tenant's after-login hook) refused: the authorization ends with this error. */
export const completeWithError = (
  tenant: TenantContext,
  ia: Interaction,
  error: NonNullable<InteractionResult['error']>,
): Promise<boolean> => complete(tenant, ia, { ...ia.result, error });

/** completed → resuming: the authorization endpoint takes the pages' result, exactly once. */
export async function beginResume(tenant: TenantContext, id: string): Promise<Interaction | null> {
  const taken = await tenant.store.interactions.transition(id, 'completed', { state: 'resuming' });
  return taken ? decodeInteraction(taken) : null;
}

/** Any state → gone: the authorization request was answered (or failed). */
export const endInteraction = (tenant: TenantContext, id: string): Promise<void> => tenant.store.interactions.delete(id);
