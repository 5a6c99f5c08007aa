import { InputError } from '../errors/domain-errors.js';
import { MAX_PAGE, type Page } from '../store/paging.js';

/** A store page as a Relay connection. */
export function toConnection<T>(page: Page<T>) {
  const edges = page.items.map((node) => ({ cursor: page.cursorOf(node), node }));
  return { edges, pageInfo: { hasNextPage: page.hasNextPage, endCursor: edges.at(-1)?.cursor ?? null } };
}

/** `first` must be 0-100; the store clamps too, but a caller asking for more should be told. */
export function checkFirst(first: number | null | undefined): void {
  if (first != null && (first < 0 || first > MAX_PAGE)) throw new InputError('first', `must be between 0 and ${MAX_PAGE}`);
}
