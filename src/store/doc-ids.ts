/**
 * Deterministic `_id`s of records found by a natural key on hot paths, so the lookup is
 * by primary key on every MongoDB-protocol server (FerretDB 1.24 answers other filters by
 * scanning the collection). docs/architecture.md "How a tenant loads".
 *
 * A client's `_id` is `<tenant id>:<client id>`: tenant ids are UUIDs (no ':'), so the
 * pair is recovered unambiguously, and the `_id`'s uniqueness is the rule "one client id
 * per tenant".
 */
export const clientDocId = (tenantId: string, clientId: string): string => `${tenantId}:${clientId}`;
