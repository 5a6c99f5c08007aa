import type { InteractionDetails, InteractionPrompt, InteractionResult, InteractionState } from './interaction-record.js';

/** A one-shot message for the next rendering of the login page (e.g. a failed login). */
export interface LoginFlash {
  message: string;
  username?: string;
}

/** An interaction as the code sees it: the stored record, decoded (interaction-codec.ts). */
export interface Interaction {
  id: string;
  /** Hash of the cookie value that binds the interaction to the browser that started it. */
  browserHash: string;
  clientId: string;
  /** Which page the browser must complete now. */
  prompt: InteractionPrompt;
  state: InteractionState;
  /** The validated authorization request; owned (and typed) by oidc/authorize. */
  request: unknown;
  details: InteractionDetails;
  /** Results of the pages so far; they accumulate over the rounds. */
  result: InteractionResult;
  /** Where the browser goes once the page is done. */
  returnTo: string;
  flash: LoginFlash | null;
}
