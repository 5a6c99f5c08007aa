import type { Model } from 'mongoose';

export interface PageArgs {
  first?: number | null;
  after?: string | null;
}

export interface Page<T> {
  items: T[];
  hasNextPage: boolean;
  cursorOf(item: T): string;
}

export const MAX_PAGE = 100;
export const DEFAULT_PAGE = 20;

/** Opaque, stable cursors: base64url of the unique sort key. */
export const encodeCursor = (key: string): string => Buffer.from(`k:${key}`).toString('base64url');
export function decodeCursor(cursor: string): string | null {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  return text.startsWith('k:') ? text.slice(2) : null;
}

export class InvalidCursorError extends Error {}

/** Keyset pagination on a field that is unique within the filter; `order` -1 pages newest/highest first. */
export async function pageBy<T extends object>(
  model: Model<T>,
  filter: Record<string, unknown>,
  field: keyof T & string,
  args: PageArgs,
  order: 1 | -1 = 1,
): Promise<Page<T>> {
  const first = Math.min(Math.max(args.first ?? DEFAULT_PAGE, 0), MAX_PAGE);
  const query: Record<string, unknown> = { ...filter };
  if (args.after) {
    const key = decodeCursor(args.after);
    if (key === null) throw new InvalidCursorError('after is not a cursor from this API');
    query[field] = { ...(query[field] as object | undefined), [order === 1 ? '$gt' : '$lt']: key };
  }
  const rows = (await model
    .find(query)
    .sort({ [field]: order })
    .limit(first + 1)
    .lean()) as T[];
  return {
    items: rows.slice(0, first),
    hasNextPage: rows.length > first,
    cursorOf: (item) => encodeCursor(String(item[field])),
  };
}
