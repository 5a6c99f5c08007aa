/**
 * Source edits applied to FerretDB v1.24.2 before the development build, all to its
 * SQLite backend's `_id` lookups. None changes what a query returns; each changes how
 * much of a collection it reads.
 *
 * 1. The backend creates its unique `_id` index on `_ferretdb_sjson->"_id"` but queries
 *    with `_ferretdb_sjson->'$._id'`. SQLite matches index expressions literally, so the
 *    index is never used and every `_id` lookup, update and delete scans the table
 *    (measured: 70 ms per update at 20,000 documents). `->'_id'` means the same path
 *    (SQLite reads a bare label as `$.label`) and matches the index.
 * 2. Only a filter that is `{_id: value}` and nothing else is pushed down to SQL; any
 *    other (`{_id, tenantId}`, how the store scopes every query to a tenant, or
 *    `{tenantId, clientId}`) decodes every document of the collection in Go, ~10 µs each.
 *    Every caller re-applies the whole filter to what the backend returns
 *    (FilterIterator / FilterDocument), so the SQL may return a superset: it is narrowed
 *    to the filter's top-level `_id` equality (index) and string equalities
 *    (`field ->> '$.field' = ?`, or the field is an array, which the Go filter then
 *    matches element-wise as MongoDB does). SQLite evaluates that in C at ~1 µs a row.
 *    An `_id` below a string (`$lt`/`$lte`; the string of plain characters) is narrowed
 *    to ranges of the `_id` index (see gatehouseIDRange for why they cover every match).
 *    Sweeps of records with time-ordered ids use it (store/repos/events.ts): a
 *    platform-wide `deleteMany` on `expiresAt` decoded every event in Go while holding the
 *    write lock (1.8 s at 20,000 events), long enough to trip the store's time budget.
 *
 * Bump PATCH_LEVEL when this list changes: it is part of the cached binary's path, so
 * machines rebuild instead of running a binary made with other edits.
 */
export const PATCH_LEVEL = 4;

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
			whereClause = fmt.Sprintf(\` WHERE %s = ?\`, metadata.IDColumn)
			args = []any{string(must.NotFail(sjson.MarshalSingleValue(v)))}
		}
	}`,
    replace: `	whereClause, args = gatehousePushdown(params.Filter)`,
  },
  {
    file: 'internal/backends/sqlite/collection.go',
    find: `// check interfaces
var (`,
    replace: `// gatehousePushdown narrows the SQL to the filter's top-level equalities: _id (by its
// index) and string fields, with arrays kept for the in-memory filter that follows.
func gatehousePushdown(filter *types.Document) (string, []any) {
	keys := filter.Keys()
	seen := make(map[string]int, len(keys))
	for _, k := range keys {
		seen[k]++
	}

	var conds []string
	var args []any

	for _, k := range keys {
		if seen[k] != 1 || !gatehousePlainKey(k) {
			continue
		}

		v, _ := filter.Get(k)

		if k == "_id" {
			switch v := v.(type) {
			case string, types.ObjectID:
				conds = append(conds, fmt.Sprintf(\`%s = ?\`, metadata.IDColumn))
				args = append(args, string(must.NotFail(sjson.MarshalSingleValue(v))))
			case *types.Document:
				c, a := gatehouseIDRange(v)
				conds = append(conds, c...)
				args = append(args, a...)
			}

			continue
		}

		if s, ok := v.(string); ok {
			path := "$." + k
			conds = append(conds, fmt.Sprintf(\`(%[1]s ->> '%[2]s' = ? OR json_type(%[1]s, '%[2]s') = 'array')\`, metadata.DefaultColumn, path))
			args = append(args, s)
		}
	}

	if len(conds) == 0 {
		return "", nil
	}

	return " WHERE " + strings.Join(conds, " AND "), args
}

// gatehouseIDRange narrows an _id filter made only of $lt/$lte with a string operand of
// plain characters (# to ~ without backslash, <, >, &: written the same in JSON) to a
// superset of its matches, using the _id index. The index holds each _id's JSON text:
// for strings, the value between quotes with some characters escaped (starting with a
// backslash). A string below the bound has JSON text below the bound's, unless its first
// character that differs from the bound is escaped; those are the rows whose JSON text
// starts with a quote, a prefix of the bound and a backslash: one more index range per
// prefix length. Rows of other types never match a string bound.
func gatehouseIDRange(ops *types.Document) ([]string, []any) {
	var conds []string
	var args []any

	seen := make(map[string]bool)

	for _, op := range ops.Keys() {
		if seen[op] {
			return nil, nil
		}

		seen[op] = true

		var cmp string

		switch op {
		case "$lt":
			cmp = "<"
		case "$lte":
			cmp = "<="
		default:
			return nil, nil
		}

		s, ok := must.NotFail(ops.Get(op)).(string)
		if !ok {
			return nil, nil
		}

		for _, r := range s {
			if r < '#' || r > '~' || r == '\\\\' || r == '<' || r == '>' || r == '&' {
				return nil, nil
			}
		}

		terms := []string{fmt.Sprintf(\`%s %s ?\`, metadata.IDColumn, cmp)}
		args = append(args, \`"\`+s+\`"\`)

		for k := 0; k <= len(s); k++ {
			terms = append(terms, fmt.Sprintf(\`(%[1]s >= ? AND %[1]s < ?)\`, metadata.IDColumn))
			args = append(args, \`"\`+s[:k]+\`\\\`, \`"\`+s[:k]+\`]\`)
		}

		conds = append(conds, "("+strings.Join(terms, " OR ")+")")
	}

	return conds, args
}

// gatehousePlainKey is true for keys that are safe in a JSON path without quoting.
func gatehousePlainKey(k string) bool {
	if k == "" {
		return false
	}

	for i, r := range k {
		switch {
		case r == '_', r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z':
		case r >= '0' && r <= '9' && i > 0:
		default:
			return false
		}
	}

	return true
}

// check interfaces
var (`,
  },
];

/** Applies every patch to the FerretDB source tree at `root`; throws if one no longer matches. */
export async function applyFerretDbPatches(
  root: string,
  io: { read(path: string): Promise<string>; write(path: string, text: string): Promise<void> },
): Promise<void> {
  for (const p of ferretDbPatches) {
    const path = `${root}/${p.file}`;
    const text = await io.read(path);
    const at = text.indexOf(p.find);
    if (at < 0 || text.indexOf(p.find, at + 1) >= 0)
      throw new Error(`FerretDB patch does not apply to ${p.file}: expected text not found exactly once`);
    await io.write(path, text.replace(p.find, p.replace));
  }
}
