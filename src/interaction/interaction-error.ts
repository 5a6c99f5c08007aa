/** An interaction page cannot continue; rendered as an HTML page, never as a redirect. */
export class InteractionError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    message: string,
  ) {
    super(message);
    this.name = 'InteractionError';
  }
}

export const expired = (): InteractionError =>
  new InteractionError(
    400,
    'This sign-in page has expired',
    'The sign-in request has expired, was already completed, or was started in another browser. Return to the application and start again.',
  );

export const csrfRefused = (): InteractionError =>
  new InteractionError(
    403,
    'The form could not be accepted',
    'The form was not submitted from this sign-in page, or it has expired. Reload the page and try again.',
  );
