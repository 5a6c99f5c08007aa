/**
 * Appends parameters to a registered URI without touching the query it already has
 * (the URI was matched as an exact string, so it is kept as one).
 */
export function appendQuery(uri: string, params: Record<string, string>): string {
  const encoded = new URLSearchParams(params).toString();
  if (!encoded) return uri;
  const sep = uri.includes('?') ? (/[?&]$/.test(uri) ? '' : '&') : '?';
  return uri + sep + encoded;
}
