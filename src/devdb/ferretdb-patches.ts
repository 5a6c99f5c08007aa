/**
 * Two source edits applied to FerretDB v1.24.2 before the development build, both to its
 * SQLite backend's `_id` lookups. Neither changes what a query returns; both change how
 * much of a collection it reads.
 *
 * 1. The backend creates its unique `_id` index on `_ferretdb_sjson->"_id"` but queries
 *    with `_ferretdb_sjson->'$._id'`. SQLite matches index expressions literally, so the
 *    index is never used and every `_id` lookup, update and delete scans the table
 *    (measured: 70 ms per update at 20,000 documents). `->'_id'` means the same path
 *    (SQLite reads a bare label as `$.label`) and matches the index.
 * 2. `_id` equality is pushed down to SQL only when it is the filter's single field, so
 *    `{_id, tenantId}` (how the store scopes every query to a tenant) decodes every
 *    document of the collection in Go. Every caller re-applies the whole filter to what
 *    the backend returns (handler.FilterIterator / FilterDocument), so narrowing the SQL
 *    to the `_id` match whatever else the filter holds returns the same documents.
 *
 * Bump PATCH_LEVEL when this list changes: it is part of the cached binary's path, so
 * machines rebuild instead of running a binary made with other edits.
 */
export const PATCH_LEVEL = 1;

interface SourcePatch {
  file: string;
  find: string;
  replace: string;
}

export const ferretDbPatches: readonly SourcePatch[] = [
  {
    file: 'internal/backends/sqlite/metadata/metadata.go',
    find: `IDColumn = DefaultColumn + "->'$._id'"`,
    replace: `IDColumn = DefaultColumn + "->'_id'"`,
  },
  {
    file: 'internal/backends/sqlite/collection.go',
    find: `	if params.Filter.Len() == 1 {
		v, _ := params.Filter.Get("_id")
		switch v.(type) {
		case string, types.ObjectID:
			whereClause = fmt.Sprintf(\` WHERE %s = ?\`, metadata.IDColumn)`,
    // Exactly one "_id" key: Get panics on a duplicated key.
    replace: `	if strings.Count("\\x00"+strings.Join(params.Filter.Keys(), "\\x00")+"\\x00", "\\x00_id\\x00") == 1 {
		v, _ := params.Filter.Get("_id")
		switch v.(type) {
		case string, types.ObjectID:
			whereClause = fmt.Sprintf(\` WHERE %s = ?\`, metadata.IDColumn)`,
  },
];

/** Applies every patch to the FerretDB source tree at `root`; throws if one no longer matches. */
export async function applyFerretDbPatches(root: string, io: { read(path: string): Promise<string>; write(path: string, text: string): Promise<void> }): Promise<void> {
  for (const p of ferretDbPatches) {
    const path = `${root}/${p.file}`;
    const text = await io.read(path);
    const at = text.indexOf(p.find);
    if (at < 0 || text.indexOf(p.find, at + 1) >= 0) throw new Error(`FerretDB patch does not apply to ${p.file}: expected text not found exactly once`);
    await io.write(path, text.replace(p.find, p.replace));
  }
}
