// Lint, plus the dependency direction of STYLE.md as rules: a wrong import fails `npm test`
// with a message that names the rule it breaks.
'use strict';
const { builtinModules } = require('node:module');
const js = require('@eslint/js');
const tseslint = require('typescript-eslint');

const restrict = (patterns, paths = []) => ({
  '@typescript-eslint/no-restricted-imports': ['error', { patterns, paths }],
});
// Exact names: as a pattern, 'domain' (a deprecated Node module) would also match our domain/ folder.
const nodeBuiltins = (message) => [
  builtinModules.map((name) => ({ name, message })),
  { group: ['node:*'], message },
];

module.exports = tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', '.petstore/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
  {
    // Type-aware rules: a promise nobody awaits or catches, or one handed where a callback's result is
    // ignored (an event handler, a Fastify option), loses its rejection.
    files: ['**/*.ts', '**/*.tsx'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: __dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
    },
  },
  {
    files: ['**/*.js'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', module: 'writable', process: 'readonly', __dirname: 'readonly', console: 'readonly' } },
  },
  {
    files: ['domain/**/*.ts'],
    rules: (() => {
      const [paths, pattern] = nodeBuiltins('domain is pure: no Node built-ins.');
      return restrict([{ regex: '^\\.\\./(?!domain/)', message: 'domain imports nothing of ours: it is pure and safe inside workflows (STYLE.md, dependency direction).' }, pattern], paths);
    })(),
  },
  {
    files: ['workflows/**/*.ts'],
    rules: (() => {
      const [paths, pattern] = nodeBuiltins("Workflow code runs in Temporal's deterministic sandbox: no Node built-ins (I/O, clocks, randomness go through activities).");
      return restrict([
      pattern,
      {
        regex: '^\\.\\./(?!domain/|activities)',
        message: 'workflows import only @temporalio/workflow, domain and (as types) activities (STYLE.md, dependency direction).',
      },
      { regex: '^\\.\\./activities', allowTypeImports: true, message: 'workflows import activities as types only: `import type` and proxyActivities.' },
      ], paths);
    })(),
  },
  {
    // The ceiling bench's workflow runs in the same sandbox as the saga.
    files: ['bench/ceiling-workflow.ts'],
    rules: (() => {
      const [paths, pattern] = nodeBuiltins("Workflow code runs in Temporal's deterministic sandbox: no Node built-ins.");
      return restrict([
        pattern,
        { regex: '^\\.\\./(?!domain/|activities|workflows/definitions$)', message: 'the ceiling workflow imports only @temporalio/workflow, domain, workflows/definitions and (as types) activities.' },
        { regex: '^\\.\\./activities', allowTypeImports: true, message: 'workflows import activities as types only: `import type` and proxyActivities.' },
        { regex: '^\\./', message: 'the ceiling workflow imports no other bench module: they run outside the sandbox.' },
      ], paths);
    })(),
  },
  {
    files: ['support/**/*.ts'],
    rules: restrict([
      { regex: '^\\.\\./(cli|activities)(/|$)', message: 'support/ gathers data for the CLI: it imports neither the CLI nor activities.' },
      { regex: '^\\.\\./api(/|$)', allowTypeImports: true, message: 'support/ may use the API\'s wire types, not its code.' },
    ]),
  },
  {
    files: ['api/**/*.ts', 'cli/**/*.ts'],
    rules: restrict([
      { regex: '^\\.\\.?/(\\.\\./)*activities', message: 'api and cli never import activities: they start workflows by name.' },
      { regex: '^\\.\\.?/(\\.\\./)*workflows', allowTypeImports: true, message: 'api and cli import workflows as types only and start them by name.' },
    ]),
  },
);
