import type { Response } from 'express';

/** 303 See Other: after a POST the browser follows with a GET (no form resubmission). */
export function seeOther(res: Response, location: string): void {
  res.setHeader('Cache-Control', 'no-store');
  res.status(303).setHeader('Location', location);
  res.end();
}
