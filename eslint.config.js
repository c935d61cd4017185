import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

// Imports each runtime must not make; the TypeScript projects enforce the same
// rule at compile time (see tsconfig.web.json / tsconfig.server.json).
const NODE_ONLY = ['node:*', 'fs', 'path', 'os', 'child_process', 'net', 'http', 'https', 'crypto', 'ws'];

// Main, the renderer, the preload and the CLI reach the hub and the client core only
// through their entry modules and the documented sub-entries (docs/architecture.md).
const ENTRY_MODULES_ONLY = {
  regex: '(^|/)(server/(?!index$|demo/index$|redis/index$)|client/(?!index$))',
  message:
    'Import the hub and the client core through src/server/index.ts, src/client/index.ts or a documented sub-entry.',
};

export default tseslint.config(
  {
    ignores: [
      'out/**',
      'dist/**',
      'release/**',
      'node_modules/**',
      'coverage/**',
      'bench/results/**',
      'reports/**',
      '.stryker-tmp/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    files: ['src/renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: [...NODE_ONLY, 'electron'], message: 'The renderer runs in a browser: use the bridge.' },
            ENTRY_MODULES_ONLY,
          ],
        },
      ],
    },
  },
  {
    files: ['src/client/**/*.ts', 'src/shared/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [...NODE_ONLY, 'electron', 'react', 'react-dom'],
              message: 'Shared and client code is runtime-agnostic.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/server/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'electron', message: 'The hub never imports Electron.' }] }],
    },
  },
  {
    files: ['src/cli/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: 'The CLI never imports Electron.' }],
          patterns: [ENTRY_MODULES_ONLY],
        },
      ],
    },
  },
  {
    files: ['src/main/**/*.ts', 'src/preload/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [ENTRY_MODULES_ONLY] }] },
  },
);
