import { clientDocumentLimits } from '../config/defaults.js';
import { InputError } from '../errors/domain-errors.js';
import { fetchDocument, whyFetchFailed } from '../outbound/fetch-document.js';

/**
 * OIDC Core 8.1 / OIDC Registration 2: the provider fetches `sector_identifier_uri`,
 * which must answer a JSON array of URIs containing every redirect_uri of the client.
 * Any failure (not https, internal address, not 200, too big, too slow, not a JSON
 * array of strings, a redirect URI missing) refuses the change: registration answers
 * invalid_client_metadata, GraphQL BAD_USER_INPUT.
 */
export async function checkSectorIdentifier(sectorUri: string, redirectUris: string[]): Promise<void> {
  const field = 'sectorIdentifierUri';
  let doc: Awaited<ReturnType<typeof fetchDocument>>;
  try {
    doc = await fetchDocument(sectorUri, {
      purpose: 'sector_identifier_uri',
      timeoutMs: clientDocumentLimits.timeoutMs,
      maxBytes: clientDocumentLimits.maxBytes,
      headers: { accept: 'application/json' },
    });
  } catch (err) {
    const why = whyFetchFailed(err);
    throw new InputError(field, why);
  }
  if (doc.status !== 200) throw new InputError(field, `answered HTTP ${doc.status}, not 200`);
  let list: unknown;
  try {
    list = JSON.parse(doc.body.toString('utf8'));
  } catch {
    throw new InputError(field, 'did not answer JSON');
  }
  if (!Array.isArray(list) || list.some((u) => typeof u !== 'string')) throw new InputError(field, 'must answer a JSON array of URIs');
  const listed = new Set(list as string[]);
  const missing = redirectUris.filter((u) => !listed.has(u));
  if (missing.length) throw new InputError(field, `the document does not list ${missing.length} of the client's redirect URIs`);
}
