// Type-aware lint, run by `npm test` and CI: promises nobody awaits and code nobody uses are the bugs a
// compiler lets through. Rules beyond typescript-eslint's recommended set are named here with their reason.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'prisma.config.ts', '**/*.js', '**/*.cjs', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // A promise nobody awaits loses its error and its ordering; mark deliberate ones with `void`.
      '@typescript-eslint/no-floating-promises': 'error',
      // An async function where a callback's result is ignored (event listeners, forEach) hides its failure.
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false, attributes: false } }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    // One date format on every console screen: format.ts. A locale's own format mixed 01/12/2026 and 12/1/2027.
    files: ['apps/console/src/**/*.{ts,tsx}'],
    ignores: ['apps/console/src/format.ts'],
    rules: {
      'no-restricted-properties': ['error', ...['toLocaleString', 'toLocaleDateString', 'toLocaleTimeString'].map((property) => ({ property, message: 'format dates with format.ts' }))],
      'no-restricted-syntax': ['error', { selector: "MemberExpression[object.name='Intl']", message: 'format dates with format.ts' }],
    },
  },
);
