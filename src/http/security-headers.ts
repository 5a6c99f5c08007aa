import helmet from 'helmet';

export type HeaderList = readonly (readonly [string, string])[];

/**
 * The security headers of every answer, worked out once. helmet stays the one source of
 * their values; its answer does not depend on the request, so it is recorded at start
 * and replayed, which costs one loop instead of a dozen middleware calls per request.
 */
export function securityHeaders(publicUrl: string): HeaderList {
  const out: [string, string][] = [];
  const recorder = {
    setHeader: (name: string, value: unknown) => void out.push([name, String(value)]),
    removeHeader: () => undefined,
  };
  let finished = false;
  helmet({
    contentSecurityPolicy: { directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
    strictTransportSecurity: publicUrl.startsWith('https:'),
    crossOriginResourcePolicy: { policy: 'cross-origin' },
  })({} as never, recorder as never, () => void (finished = true));
  if (!finished) throw new Error('helmet did not complete synchronously');
  return out;
}

export function applyHeaders(res: { setHeader(name: string, value: string): unknown }, headers: HeaderList): void {
  for (const [name, value] of headers) res.setHeader(name, value);
}
