import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/** One import of a src file: its target (a path under src/, or a package name) and whether it is erased at compile time. */
export interface ImportEdge {
  from: string;
  to: string;
  typeOnly: boolean;
}

export const ROOT = resolve(import.meta.dirname, '../..');
const SRC = join(ROOT, 'src');

/** Every .ts file under src/ (generated code excluded), as paths relative to src/ ("oidc/token.ts"). */
export function sourceFiles(): string[] {
  return readdirSync(SRC, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.parentPath.includes('generated'))
    .map((e) => relative(SRC, join(e.parentPath, e.name)));
}

// Static imports and re-exports (their lists may span lines) and dynamic imports.
const STATIC = /^(import|export)\s+(type\s+)?([^;]*?)\s*from\s+'([^']+)'/gms;
const DYNAMIC = /\bimport\(\s*'([^']+)'\s*\)/g;

/** A list like `{ type A, type B }` imports types only (verbatimModuleSyntax keeps no runtime import of it). */
const onlyTypes = (clause: string): boolean => {
  const list = /^\{([^}]*)\}$/.exec(clause.trim());
  if (!list) return false;
  const names = list[1]!
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return names.length > 0 && names.every((n) => n.startsWith('type '));
};

function target(file: string, spec: string): string {
  if (!spec.startsWith('.')) return spec;
  return relative(SRC, resolve(SRC, dirname(file), spec)).replace(/\.js$/, '.ts');
}

export function importsOf(file: string): ImportEdge[] {
  const text = readFileSync(join(SRC, file), 'utf8');
  const edges: ImportEdge[] = [];
  for (const m of text.matchAll(STATIC)) {
    edges.push({ from: file, to: target(file, m[4]!), typeOnly: !!m[2] || onlyTypes(m[3]!) });
  }
  for (const m of text.matchAll(DYNAMIC)) edges.push({ from: file, to: target(file, m[1]!), typeOnly: false });
  return edges;
}

/** The top folder of a src path ("oidc/token/index.ts" → "oidc"; "runtime.ts" → "runtime.ts"). */
export const folderOf = (path: string): string => path.split('/')[0]!;

/** Cycles of runtime (value) imports between src files, each as the list of files around it. */
export function valueCycles(edges: ImportEdge[]): string[][] {
  const next = new Map<string, string[]>();
  for (const e of edges) {
    if (e.typeOnly || !e.to.endsWith('.ts')) continue;
    next.set(e.from, [...(next.get(e.from) ?? []), e.to]);
  }
  // Tarjan's strongly connected components; a component of more than one file is a cycle.
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  let counter = 0;
  const visit = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of next.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || next.get(v)?.includes(v)) cycles.push(component.sort());
    }
  };
  for (const v of next.keys()) if (!index.has(v)) visit(v);
  return cycles;
}
