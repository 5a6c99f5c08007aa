import type { Interaction, LoginFlash } from './interaction.js';
import type { InteractionDetails, InteractionRecord, InteractionResult } from './interaction-record.js';

// The one place the interaction's JSON fields are written and read (docs/architecture.md).

const parse = <T>(json: string | null | undefined, empty: T): T => (json ? (JSON.parse(json) as T) : empty);

export function decodeInteraction(record: InteractionRecord): Interaction {
  return {
    id: record._id,
    browserHash: record.browserHash,
    clientId: record.clientId,
    prompt: record.prompt,
    state: record.state,
    request: parse<unknown>(record.request, null),
    details: parse<InteractionDetails>(record.details, {} as InteractionDetails),
    result: parse<InteractionResult>(record.result, {}),
    returnTo: record.returnTo,
    flash: parse<LoginFlash | null>(record.flash, null),
  };
}

export const encodeRequest = (request: unknown): string => JSON.stringify(request);
export const encodeDetails = (details: InteractionDetails): string => JSON.stringify(details);
export const encodeResult = (result: InteractionResult): string => JSON.stringify(result);
export const encodeFlash = (flash: LoginFlash | null): string | null => (flash ? JSON.stringify(flash) : null);
