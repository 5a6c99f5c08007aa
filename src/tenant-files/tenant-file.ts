import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { isMap, isPair, isScalar, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { tenantDefaults, type TenantSettings } from '../config/defaults.js';
import { familyOf } from '../keys/families.js';
import { validateClientInfo } from '../clients/client-info.js';
import { validateLogoutMetadata } from '../clients/client-logout-metadata.js';
import { resolveClientMetadata } from '../clients/client-metadata.js';
import { validateClientPolicies } from '../clients/client-policies.js';
import { validateRequestMetadata } from '../clients/client-request-metadata.js';
import { validateDpopMetadata } from '../clients/client-dpop-metadata.js';
import { InputError } from '../errors/domain-errors.js';
import { validateClaimResolver, validateHook } from '../claims/claim-resolvers.js';
import { validateEventWebhook } from '../events/event-webhooks.js';
import { validateScope } from '../claims/scopes.js';
import { validateResourceServer } from '../resources/resource-server-input.js';
import { checkSigningAlgFamily, validateSettings } from '../tenancy/tenants.js';
import { validateClaims } from '../users/users.js';

/** The published JSON Schema of tenant files (tenants/tenant.schema.json). */
export const TENANT_SCHEMA_PATH = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'tenants', 'tenant.schema.json');

export interface TenantFileScope {
  name: string;
  displayName?: string;
  description?: string;
  claims?: string[];
}

export interface TenantFileClient {
  clientId: string;
  name: string;
  clientType: 'CONFIDENTIAL' | 'PUBLIC';
  redirectUris?: string[];
  postLogoutRedirectUris?: string[];
  grantTypes?: string[];
  responseTypes?: string[];
  scopes?: string[];
  tokenEndpointAuthMethod?: string;
  idTokenSignedResponseAlg?: string;
  userinfoSignedResponseAlg?: string;
  requireConsent?: boolean;
  reuseConsent?: boolean;
  accessTokenFormat?: 'JWT' | 'OPAQUE';
  subjectType?: 'public' | 'pairwise';
  jwksUri?: string;
  jwks?: Record<string, unknown>;
  clientUri?: string;
  logoUri?: string;
  tosUri?: string;
  policyUri?: string;
  contacts?: string[];
  canIntrospect?: boolean;
  tokenExchangeClients?: string[];
  sectorIdentifierUri?: string;
  requestUris?: string[];
  requestObjectSigningAlg?: string;
  requirePushedAuthorizationRequests?: boolean;
  requireSignedRequestObject?: boolean;
  dpopBoundAccessTokens?: boolean;
  backchannelLogoutUri?: string;
  backchannelLogoutSessionRequired?: boolean;
  frontchannelLogoutUri?: string;
  frontchannelLogoutSessionRequired?: boolean;
}

export interface TenantFileClaimResolver {
  name: string;
  kind: 'MAPPING' | 'CODE' | 'WEBHOOK';
  targets?: ('ID_TOKEN' | 'ACCESS_TOKEN' | 'USERINFO')[];
  mapping?: { path?: string; template?: string; constant?: unknown; type?: 'STRING' | 'BOOLEAN' | 'NUMBER' | 'ARRAY' | 'OBJECT' };
  code?: string;
  webhook?: { url: string; timeoutMs?: number; cacheTtlSeconds?: number };
}

export interface TenantFileHook {
  point: 'AFTER_LOGIN' | 'ID_TOKEN_PROCESSING' | 'SUB_GENERATOR' | 'AFTER_END_SESSION';
  kind: 'CODE' | 'WEBHOOK';
  code?: string;
  webhook?: { url: string; timeoutMs?: number };
  failClosed?: boolean;
}

export interface TenantFileEventWebhook {
  name: string;
  url: string;
  eventTypes?: string[];
  enabled?: boolean;
}

/** An RFC 8707 resource server (docs/token-services.md "Resource indicators"). */
export interface TenantFileResourceServer {
  identifier: string;
  name?: string;
  scopes?: string[];
  accessTokenFormat?: 'JWT' | 'OPAQUE';
  accessTokenTtl?: number;
  allowedClients?: string[];
}

export interface TenantFileUser {
  username: string;
  password?: string;
  claims?: Record<string, unknown>;
  disabled?: boolean;
}

/** A tenant as code (tenants/*.yaml), as described by tenants/tenant.schema.json. */
export interface TenantFile {
  slug: string;
  displayName: string;
  branding?: { logoUrl?: string; primaryColor?: string };
  settings?: Partial<TenantSettings>;
  scopes?: TenantFileScope[];
  claimResolvers?: TenantFileClaimResolver[];
  hooks?: TenantFileHook[];
  eventWebhooks?: TenantFileEventWebhook[];
  resourceServers?: TenantFileResourceServer[];
  clients?: TenantFileClient[];
  users?: TenantFileUser[];
}

export interface TenantFileProblem {
  line: number;
  column: number;
  /** JSON path of the offending value, e.g. `clients[1].redirectUris`. */
  path: string;
  message: string;
}

/** A tenant file that cannot be applied; `message` lists every problem as `file:line:column: path: message`. */
export class TenantFileError extends Error {
  constructor(
    readonly file: string,
    readonly problems: TenantFileProblem[],
  ) {
    super(problems.map((p) => `${file}:${p.line}:${p.column}: ${p.path ? `${p.path}: ` : ''}${p.message}`).join('\n'));
    this.name = 'TenantFileError';
  }
}

type Segment = string | number;

let validator: ValidateFunction | undefined;
function schemaValidator(): ValidateFunction {
  validator ??= new Ajv({ allErrors: true, strict: false }).compile(JSON.parse(readFileSync(TENANT_SCHEMA_PATH, 'utf8')) as object);
  return validator;
}

const pathText = (segments: readonly Segment[]): string =>
  segments.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');

const pointerSegments = (pointer: string): Segment[] =>
  pointer
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));

/** Where a path points in the document: the value, or (for a key that should not be there) the key itself. */
function locate(doc: Document, lines: LineCounter, segments: Segment[], key?: string): { line: number; column: number } {
  let node = (segments.length ? doc.getIn(segments, true) : doc.contents) as Node | undefined;
  // A path through a missing or malformed part: fall back to the nearest ancestor that exists.
  for (let n = segments.length - 1; !node && n >= 0; n--) node = doc.getIn(segments.slice(0, n), true) as Node | undefined;
  node ??= doc.contents ?? undefined;
  if (key && node && isMap(node)) {
    const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === key);
    if (pair && isScalar(pair.key) && pair.key.range) node = pair.key;
  }
  const offset = node?.range?.[0] ?? 0;
  const pos = lines.linePos(offset);
  return { line: pos.line, column: pos.col };
}

function schemaProblem(doc: Document, lines: LineCounter, e: ErrorObject): TenantFileProblem {
  const segments = pointerSegments(e.instancePath);
  if (e.keyword === 'additionalProperties') {
    const extra = (e.params as { additionalProperty: string }).additionalProperty;
    return { ...locate(doc, lines, segments, extra), path: pathText([...segments, extra]), message: `unknown field "${extra}"` };
  }
  if (e.keyword === 'required') {
    const missing = (e.params as { missingProperty: string }).missingProperty;
    return { ...locate(doc, lines, segments), path: pathText(segments), message: `"${missing}" is required` };
  }
  if (e.keyword === 'enum') {
    return {
      ...locate(doc, lines, segments),
      path: pathText(segments),
      message: `must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.join(', ')}`,
    };
  }
  if (e.keyword === 'not' && segments.join('.') === 'slug')
    return { ...locate(doc, lines, segments), path: 'slug', message: '"system" is reserved' };
  return { ...locate(doc, lines, segments), path: pathText(segments), message: e.message ?? 'is not valid' };
}

/** Runs a check of the services layer; an InputError becomes a problem at `base` + its field. */
function check(
  problems: TenantFileProblem[],
  doc: Document,
  lines: LineCounter,
  base: Segment[],
  fieldPath: Record<string, Segment[]>,
  op: () => unknown,
): void {
  try {
    op();
  } catch (err) {
    if (!(err instanceof InputError)) throw err;
    const [head] = err.field.split(/[.[]/);
    const segments = [...base, ...(fieldPath[err.field] ?? fieldPath[head!] ?? (head ? [head] : []))];
    problems.push({ ...locate(doc, lines, segments), path: pathText(segments), message: err.message });
  }
}

/** The rules the API would apply, checked up front so that a file with a mistake changes nothing. */
function semanticProblems(spec: TenantFile, doc: Document, lines: LineCounter): TenantFileProblem[] {
  const problems: TenantFileProblem[] = [];
  check(problems, doc, lines, ['settings'], {}, () =>
    checkSigningAlgFamily({ ...tenantDefaults, ...validateSettings(spec.settings ?? {}) }),
  );
  const families: readonly string[] = spec.settings?.keyFamilies ?? tenantDefaults.keyFamilies;
  const seen = (kind: string, list: { key: string; index: number }[], field: string, base: string) => {
    const first = new Map<string, number>();
    for (const { key, index } of list) {
      if (first.has(key.toLowerCase())) {
        problems.push({
          ...locate(doc, lines, [base, index, field]),
          path: pathText([base, index, field]),
          message: `${kind} "${key}" is defined twice (first at ${pathText([base, first.get(key.toLowerCase())!])})`,
        });
      } else first.set(key.toLowerCase(), index);
    }
  };
  seen(
    'scope',
    (spec.scopes ?? []).map((s, index) => ({ key: s.name, index })),
    'name',
    'scopes',
  );
  seen(
    'client',
    (spec.clients ?? []).map((c, index) => ({ key: c.clientId, index })),
    'clientId',
    'clients',
  );
  seen(
    'user',
    (spec.users ?? []).map((u, index) => ({ key: u.username, index })),
    'username',
    'users',
  );
  (spec.scopes ?? []).forEach((s, i) => check(problems, doc, lines, ['scopes', i], {}, () => validateScope(s)));
  seen(
    'claim resolver',
    (spec.claimResolvers ?? []).map((r, index) => ({ key: r.name, index })),
    'name',
    'claimResolvers',
  );
  seen(
    'hook',
    (spec.hooks ?? []).map((h, index) => ({ key: h.point, index })),
    'point',
    'hooks',
  );
  seen(
    'event webhook',
    (spec.eventWebhooks ?? []).map((w, index) => ({ key: w.name, index })),
    'name',
    'eventWebhooks',
  );
  // Code names are checked by the server when the file is applied (the code is loaded there).
  (spec.claimResolvers ?? []).forEach((r, i) => check(problems, doc, lines, ['claimResolvers', i], {}, () => validateClaimResolver(r)));
  (spec.hooks ?? []).forEach((h, i) => check(problems, doc, lines, ['hooks', i], {}, () => validateHook(h)));
  (spec.eventWebhooks ?? []).forEach((w, i) => check(problems, doc, lines, ['eventWebhooks', i], {}, () => validateEventWebhook(w)));
  seen(
    'resource server',
    (spec.resourceServers ?? []).map((r, index) => ({ key: r.identifier, index })),
    'identifier',
    'resourceServers',
  );
  (spec.resourceServers ?? []).forEach((r, i) =>
    check(problems, doc, lines, ['resourceServers', i], {}, () =>
      validateResourceServer({ ...r, accessTokenFormat: r.accessTokenFormat === 'OPAQUE' ? 'opaque' : 'jwt' }),
    ),
  );
  const allowed = spec.settings?.allowedGrantTypes;
  (spec.clients ?? []).forEach((c, i) =>
    check(problems, doc, lines, ['clients', i], {}, () => {
      const m = resolveClientMetadata({
        ...c,
        redirectUris: c.redirectUris ?? [],
        accessTokenFormat: c.accessTokenFormat === 'OPAQUE' ? 'opaque' : 'jwt',
      });
      for (const field of ['idTokenSignedResponseAlg', 'userinfoSignedResponseAlg'] as const) {
        const family = c[field] ? familyOf(c[field]) : undefined;
        if (family && !families.includes(family)) throw new InputError(field, `settings.keyFamilies does not include ${family}`);
      }
      const refused = allowed ? m.grantTypes.filter((g) => !allowed.includes(g)) : [];
      if (refused.length) throw new InputError('grantTypes', `settings.allowedGrantTypes does not allow: ${refused.join(', ')}`);
      validateClientInfo({
        client_uri: c.clientUri,
        logo_uri: c.logoUri,
        tos_uri: c.tosUri,
        policy_uri: c.policyUri,
        contacts: c.contacts,
      });
      validateClientPolicies({ canIntrospect: c.canIntrospect, tokenExchangeClients: c.tokenExchangeClients });
      validateRequestMetadata({
        sector_identifier_uri: c.sectorIdentifierUri,
        request_uris: c.requestUris,
        request_object_signing_alg: c.requestObjectSigningAlg,
        require_pushed_authorization_requests: c.requirePushedAuthorizationRequests,
        require_signed_request_object: c.requireSignedRequestObject,
      });
      validateDpopMetadata({ dpop_bound_access_tokens: c.dpopBoundAccessTokens });
      validateLogoutMetadata({
        backchannel_logout_uri: c.backchannelLogoutUri,
        backchannel_logout_session_required: c.backchannelLogoutSessionRequired,
        frontchannel_logout_uri: c.frontchannelLogoutUri,
        frontchannel_logout_session_required: c.frontchannelLogoutSessionRequired,
      });
    }),
  );
  (spec.users ?? []).forEach((u, i) => check(problems, doc, lines, ['users', i], { claims: ['claims'] }, () => validateClaims(u.claims)));
  return problems;
}

/**
 * Parses and validates a tenant file: YAML syntax, the JSON Schema, then the rules the
 * admin API applies (redirect URIs, grant and response types, claims …). Every problem
 * carries the line and column it is at; any problem throws TenantFileError.
 */
export function parseTenantFile(text: string, file = '<tenant file>'): TenantFile {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length) {
    throw new TenantFileError(
      file,
      doc.errors.map((e) => {
        const pos = lines.linePos(e.pos[0]);
        return { line: pos.line, column: pos.col, path: '', message: e.message.split('\n')[0]! };
      }),
    );
  }
  const data = doc.toJS() as unknown;
  const validate = schemaValidator();
  if (!validate(data)) {
    const problems = (validate.errors ?? []).map((e: ErrorObject) => schemaProblem(doc, lines, e));
    throw new TenantFileError(file, dedupe(problems));
  }
  const spec = data as TenantFile;
  const problems = semanticProblems(spec, doc, lines);
  if (problems.length) throw new TenantFileError(file, problems);
  return spec;
}

export function loadTenantFile(path: string): TenantFile {
  return parseTenantFile(readFileSync(path, 'utf8'), path);
}

function dedupe(problems: TenantFileProblem[]): TenantFileProblem[] {
  const seen = new Set<string>();
  return problems
    .filter((p) => {
      const k = `${p.line}:${p.column}:${p.path}:${p.message}`;
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    })
    .sort((a, b) => a.line - b.line || a.column - b.column);
}
