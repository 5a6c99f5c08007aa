import assert from 'node:assert/strict';
import { test } from 'node:test';
import { folderOf, importsOf, sourceFiles, valueCycles, type ImportEdge } from './helpers/import-graph.js';

// The dependency rules of docs/architecture.md ("Dependency rules"), checked on the source.

/** One owner per concept; they serve every surface and know none of them. */
const DOMAINS = new Set(['clients', 'users', 'sessions', 'tokens', 'events', 'tenancy', 'keys', 'interactions', 'claims']);
/** The protocol and admin surfaces and what wires them (domains never import these). */
const SURFACES = new Set(['http', 'oidc', 'interaction', 'admin', 'resource-server', 'pages', 'boot', 'main.ts', 'cluster.ts']);

const edges: ImportEdge[] = sourceFiles().flatMap(importsOf);
const show = (list: ImportEdge[]) => list.map((e) => `${e.from} → ${e.to}`);

test('no import cycle between src files', () => {
  assert.deepEqual(valueCycles(edges), []);
});

test('oidc/ and admin/ never import each other', () => {
  const crossing = edges.filter(
    (e) => (folderOf(e.from) === 'oidc' && folderOf(e.to) === 'admin') || (folderOf(e.from) === 'admin' && folderOf(e.to) === 'oidc'),
  );
  assert.deepEqual(show(crossing), []);
});

test('domains import no surface (http/, oidc/, interaction/, admin/, pages/, boot/ ...) and take no Express request or response', () => {
  const wrong = edges.filter((e) => DOMAINS.has(folderOf(e.from)) && (SURFACES.has(folderOf(e.to)) || e.to === 'express'));
  assert.deepEqual(show(wrong), []);
});

test('store/ imports no domain module, only the record types the domains define', () => {
  const wrong = edges.filter(
    (e) => folderOf(e.from) === 'store' && DOMAINS.has(folderOf(e.to)) && !(e.typeOnly && e.to.endsWith('-record.ts')),
  );
  assert.deepEqual(show(wrong), []);
});

test('nothing outside store/ imports store/models (record types live in their domains)', () => {
  const wrong = edges.filter((e) => folderOf(e.from) !== 'store' && e.to.startsWith('store/models/'));
  assert.deepEqual(show(wrong), []);
});

test('the store and the lower layers import no domain or surface at run time', () => {
  const LOWER = new Set(['store', 'config', 'errors', 'outbound']);
  const wrong = edges.filter(
    (e) => LOWER.has(folderOf(e.from)) && !e.typeOnly && (DOMAINS.has(folderOf(e.to)) || SURFACES.has(folderOf(e.to))),
  );
  assert.deepEqual(show(wrong), []);
});
