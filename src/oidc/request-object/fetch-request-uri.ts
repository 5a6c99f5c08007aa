import { clientDocumentLimits } from '../../config/defaults.js';
import { oauthError } from '../../errors/oauth-error.js';
import { clientRequestMetadata } from '../../clients/client-request-metadata.js';
import { fetchDocument, whyFetchFailed } from '../../outbound/fetch-document.js';
import type { ClientRecord } from '../../clients/client-record.js';
import type { TenantContext } from '../../tenancy/tenant-context.js';

const withoutFragment = (uri: string): string => uri.split('#')[0]!;

/**
 * Fetches the request object a request_uri points at (RFC 9101 section 5.2.3): https,
 * bounded in time and size, and, where the tenant requires it (setting
 * requireRequestUriRegistration, default true), one of the client's registered
 * request_uris, compared without the fragment (OIDC Registration 2).
 */
export async function fetchRequestUri(tenant: TenantContext, client: ClientRecord, uri: string): Promise<string> {
  if (uri.length > 2000) throw oauthError('invalid_request_uri', 'the request_uri is too long');
  if (tenant.settings.requireRequestUriRegistration) {
    const registered = clientRequestMetadata(client).requestUris.map(withoutFragment);
    if (!registered.includes(withoutFragment(uri)))
      throw oauthError('invalid_request_uri', 'the request_uri is not registered for this client');
  }
  let doc: Awaited<ReturnType<typeof fetchDocument>>;
  try {
    doc = await fetchDocument(withoutFragment(uri), {
      purpose: 'request_uri',
      timeoutMs: clientDocumentLimits.timeoutMs,
      maxBytes: clientDocumentLimits.maxBytes,
      headers: { accept: 'application/oauth-authz-req+jwt, application/jwt' },
    });
  } catch (err) {
    const why = whyFetchFailed(err);
    throw oauthError('invalid_request_uri', `the request_uri ${why}`);
  }
  if (doc.status !== 200) throw oauthError('invalid_request_uri', `the request_uri answered HTTP ${doc.status}, not 200`);
  return doc.body.toString('utf8').trim();
}
