// ESLint for the whole repository: typescript-eslint's type-aware rules on
// every TypeScript file (sources, tests, e2e, bench, configs), the React hooks
// rules on the web client, and the untyped rules on plain JavaScript.
// Formatting is Prettier's job (.prettierrc.json), not ESLint's.
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

// One TypeScript program per tsconfig, each a superset of what the build
// checks: the tsconfig.test.json files add the tests the builds leave out.
const projects = [
  './packages/protocol/tsconfig.test.json',
  './packages/e2ee/tsconfig.test.json',
  './apps/server/tsconfig.test.json',
  './apps/web/tsconfig.test.json',
  './apps/web/tsconfig.node.json',
  './e2e/tsconfig.json',
  './bench/tsconfig.json',
];

export default defineConfig(
  {
    ignores: ['**/dist/', '**/node_modules/', 'test-results/', 'playwright-report/', '.cache/', 'data/', 'artifacts/'],
  },
  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        // An explicit list rather than projectService: projectService takes the
        // nearest tsconfig.json, and those leave the tests out (so that the
        // builds do not emit them); its default project is capped at a few files.
        project: projects,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // Handlers are async so that a throw becomes a rejection and they fit Promise-returning
      // tables (routes, signaling methods); an async function without await is no bug here.
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { args: 'after-used', argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true },
      ],
    },
  },
  {
    // Test code: unit, integration and hostile tests and their helpers, the browser suite, benchmarks.
    files: [
      '**/*.test.{ts,tsx}',
      '**/test-support/**',
      'apps/server/src/hostile/**',
      'packages/e2ee/test/**',
      'e2e/**',
      'bench/**',
      '**/vitest*.config.ts',
      'playwright.config.ts',
    ],
    rules: {
      // Tests read JSON bodies and wire messages as `any` and let their assertions check the shape;
      // typing each one would add casts, not safety.
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    files: ['apps/web/src/**/*.{ts,tsx}'],
    ...reactHooks.configs.flat['recommended-latest'],
    languageOptions: { globals: globals.browser },
  },
  {
    // Plain JavaScript (scripts, benchmarks, the password worker) has no type information.
    files: ['**/*.{js,mjs,cjs}'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { ...tseslint.configs.disableTypeChecked.languageOptions, globals: globals.node },
  },
  {
    // The browser benchmark runs sframe-worker.mjs in a Worker and reads its result through page.evaluate.
    files: ['packages/e2ee/bench/sframe-worker.mjs'],
    languageOptions: { globals: globals.worker },
  },
  {
    files: ['packages/e2ee/bench/sframe-browser.bench.mjs'],
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
  },
);
