// Lint: typescript-eslint with type information, for the rules that catch real bugs
// (a promise nobody awaits, an async callback where a void one is expected, awaiting a
// non-promise, "[object Object]" in a string, unused code). Formatting is Prettier's job
// (.prettierrc.json), so no stylistic rules here. Rules about `any` hygiene (no-unsafe-*,
// no-explicit-any) are off: the code parses untrusted JSON and narrows it by hand, and
// they would flag that without finding bugs.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.data/**', 'test-output/**', 'src/admin/generated/**', '**/*.js', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { project: ['./tsconfig.test.json'], tsconfigRootDir: import.meta.dirname } },
    rules: {
      // node:test's test()/describe() return promises the runner itself awaits.
      '@typescript-eslint/no-floating-promises': [
        'error',
        { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['test', 'it', 'describe', 'suite'] }] },
      ],
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          ignoreRestSiblings: true,
        },
      ],
      '@typescript-eslint/return-await': ['error', 'in-try-catch'],
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      // Style more than bugs, and noisy on the current code:
      '@typescript-eslint/no-unnecessary-type-assertion': 'off',
      '@typescript-eslint/restrict-template-expressions': 'off',
      '@typescript-eslint/require-await': 'off', // async to satisfy an interface is fine
      '@typescript-eslint/no-redundant-type-constituents': 'off', // `'jwks' | string` documents a special value
      'no-useless-assignment': 'off', // flags `let x = default; try { x = parse() } catch {}`
      // Input validation deliberately matches control characters to refuse them.
      'no-control-regex': 'off',
    },
  },
  {
    // Tests and the bench reach the database through the composition root's handle or
    // test/helpers/db.ts, never the store's mongoose connection (docs/architecture.md).
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        { selector: "MemberExpression[property.name='conn']", message: 'use the store, the server handle or test/helpers/db.ts' },
      ],
    },
  },
);
