// One Jest run for the whole monorepo: unit tests sit beside their code, end-to-end tests in test/.
// Tests import packages by their public name; the mapper points those names at the TypeScript sources,
// so unit tests need no build (the sshd-backed tests run built binaries, which `npm test` builds first).
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/packages', '<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' } }] },
  moduleNameMapper: { '^@sshcc/([a-z]+)$': '<rootDir>/packages/$1/src' },
  // Jest's 'default' reporter set would print its summary after ours; use its parts in our order.
  reporters: ['<rootDir>/scripts/jest-progress-reporter.js', '<rootDir>/scripts/jest-summary-reporter.js'],
  globalSetup: '<rootDir>/scripts/jest-cache-setup.js',
  globalTeardown: '<rootDir>/scripts/jest-cache-teardown.js',
  maxWorkers: 2,
  testTimeout: 30000,
};
