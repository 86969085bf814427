// ESLint (flat config) with typescript-eslint's strict rules; Prettier formats.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'data/', 'coverage/', 'scratch/', '.test-output/'] },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    languageOptions: {
      globals: { process: 'readonly', Buffer: 'readonly', URL: 'readonly', console: 'readonly' },
    },
    rules: {
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        { selector: 'TSEnumDeclaration', message: 'Use a union of string literals or a zod enum.' },
        { selector: 'TSModuleDeclaration', message: 'No namespaces.' },
      ],
    },
  },
  {
    // The law and the projections are pure functions: no I/O, no dependency on the application.
    files: ['machines/**/*.ts', 'projections/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                'node:*',
                'fs',
                'fs/*',
                'path',
                'os',
                'child_process',
                'worker_threads',
                'crypto',
                'http',
                'net',
              ],
              message: 'machines/ and projections/ do no I/O: no Node built-in module.',
            },
            {
              group: ['**/src/**', 'better-sqlite3', '@eventstore/*'],
              message: 'machines/ and projections/ do not depend on the application (src/) or a store.',
            },
          ],
        },
      ],
    },
  },
);
