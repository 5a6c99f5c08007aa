import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, resolve } from 'node:path';
import { test } from 'node:test';

/** Every package the code imports is declared in package.json (a hoisted transitive dependency can vanish with any update). */
const ROOT = resolve(import.meta.dirname, '..');

function files(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.(ts|js|mjs)$/.test(e.name) && !e.parentPath.includes('generated'))
    .map((e) => join(e.parentPath, e.name));
}

test('every imported package is declared in package.json', () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Record<string, Record<string, string> | undefined>;
  const declared = new Set([
    ...Object.keys(pkg.dependencies ?? {}),
    ...Object.keys(pkg.devDependencies ?? {}),
    ...Object.keys(pkg.peerDependencies ?? {}),
  ]);
  const builtins = new Set(builtinModules);
  const missing = new Set<string>();
  for (const file of [...['src', 'scripts', 'test', 'bench'].flatMap(files), join(ROOT, 'codegen.ts'), join(ROOT, 'eslint.config.js')]) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/(?:^|\s)(?:import|export)\s[^'"]*?from\s+'([^']+)'|import\(\s*'([^']+)'\s*\)|^import\s+'([^']+)'/gm)) {
      const spec = (m[1] ?? m[2] ?? m[3])!;
      if (spec.startsWith('.') || spec.startsWith('node:') || builtins.has(spec)) continue;
      const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!;
      if (!declared.has(name)) missing.add(`${name} (${file.slice(ROOT.length + 1)})`);
    }
  }
  assert.deepEqual([...missing], []);
});
