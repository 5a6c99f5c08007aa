import type { ClaimResolverDefinition, ClaimValueType } from '../tenancy/tenant-record.js';

/** A value that cannot be turned into the declared type: the claim is left out and the failure reported. */
export class CoercionError extends Error {
  override readonly name = 'CoercionError';
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Follows a dotted path into the user's claims: `attributes.department`,
 * `address.country`, `emails.0`. Keys that themselves contain dots (claim names like
 * `https://example.com/roles`) are found too: at each level the longest key that
 * matches the remaining segments wins.
 */
export function valueAtPath(root: unknown, path: string): unknown {
  const segments = path.split('.');
  let current: unknown = root;
  let i = 0;
  while (i < segments.length) {
    if (current === null || typeof current !== 'object') return undefined;
    const obj = current as Record<string, unknown>;
    let next: { value: unknown; used: number } | undefined;
    for (let j = segments.length; j > i; j--) {
      const key = segments.slice(i, j).join('.');
      if (Object.prototype.hasOwnProperty.call(obj, key)) {
        next = { value: obj[key], used: j - i };
        break;
      }
    }
    if (!next) return undefined;
    current = next.value;
    i += next.used;
  }
  return current;
}

/**
 * `"{given_name} {family_name}"`: each `{path}` is replaced by the value at that path
 * (empty when missing); `{{` and `}}` are literal braces. Spaces left over by missing
 * parts are collapsed, so a user without a family name gets "Alice", not "Alice ".
 */
export function renderTemplate(template: string, claims: Record<string, unknown>): string {
  const out = template.replace(/\{\{|\}\}|\{([^{}]+)\}/g, (m, path: string | undefined) => {
    if (m === '{{') return '{';
    if (m === '}}') return '}';
    const v = valueAtPath(claims, path!.trim());
    if (v === undefined || v === null) return '';
    if (Array.isArray(v)) return v.filter((x) => x !== null && typeof x !== 'object').join(', ');
    // eslint-disable-next-line @typescript-eslint/no-base-to-string -- objects were excluded just before
    return typeof v === 'object' ? '' : String(v);
  });
  return out.replace(/[ \t]{2,}/g, ' ').trim();
}

/** Template placeholders, for validation. */
export function templatePaths(template: string): string[] {
  return [...template.replace(/\{\{|\}\}/g, '').matchAll(/\{([^{}]*)\}/g)].map((m) => m[1]!.trim());
}

/** Turns a value into the declared claim type; undefined/null stay absent. */
export function coerce(value: unknown, type: ClaimValueType): unknown {
  if (value === undefined || value === null) return undefined;
  switch (type) {
    case 'STRING':
      if (typeof value === 'string') return value;
      if (typeof value === 'number' || typeof value === 'boolean') return String(value);
      throw new CoercionError(`a ${Array.isArray(value) ? 'list' : 'object'} is not a string`);
    case 'BOOLEAN': {
      if (typeof value === 'boolean') return value;
      if (typeof value === 'number' && (value === 0 || value === 1)) return value === 1;
      if (typeof value === 'string') {
        const v = value.trim().toLowerCase();
        if (['true', '1', 'yes', 'on'].includes(v)) return true;
        if (['false', '0', 'no', 'off'].includes(v)) return false;
      }
      throw new CoercionError(`${JSON.stringify(value).slice(0, 40)} is not a boolean`);
    }
    case 'NUMBER': {
      if (typeof value === 'number' && Number.isFinite(value)) return value;
      if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
      throw new CoercionError(`${JSON.stringify(value).slice(0, 40)} is not a number`);
    }
    case 'ARRAY':
      return Array.isArray(value) ? value : [value];
    case 'OBJECT': {
      if (isPlainObject(value)) return value;
      if (typeof value === 'string') {
        try {
          const parsed = JSON.parse(value) as unknown;
          if (isPlainObject(parsed)) return parsed;
        } catch {
          // fall through
        }
      }
      throw new CoercionError(`${JSON.stringify(value).slice(0, 40)} is not an object`);
    }
  }
}

/** The value of a MAPPING resolver for a user's stored claims. */
export function mappedValue(def: ClaimResolverDefinition, claims: Record<string, unknown>): unknown {
  const m = def.mapping;
  if (!m) return undefined;
  let raw: unknown;
  if (m.constant !== undefined && m.constant !== null) raw = JSON.parse(m.constant) as unknown;
  else if (m.template !== undefined && m.template !== null) raw = renderTemplate(m.template, claims);
  else if (m.path) raw = valueAtPath(claims, m.path);
  return coerce(raw, m.type);
}
