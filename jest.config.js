// One ladder: pure unit tests, API tests with inject and fake services, workflow tests on
// Temporal's test environment, and integration tests on the real stack (which `npm test` brings up first).
'use strict';
const transform = { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } }] };
const base = { transform, testEnvironment: 'node', moduleFileExtensions: ['ts', 'js', 'json'] };

module.exports = {
  maxWorkers: 2,
  projects: [
    { ...base, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    { ...base, displayName: 'api', testMatch: ['<rootDir>/test/api/**/*.test.ts'] },
    { ...base, displayName: 'workflows', setupFiles: ['<rootDir>/test/helpers/temporal-setup.ts'], testMatch: ['<rootDir>/test/workflows/**/*.test.ts'] },
    { ...base, displayName: 'integration', setupFiles: ['<rootDir>/test/helpers/temporal-setup.ts'], testMatch: ['<rootDir>/test/integration/**/*.test.ts'] },
  ],
};
