/** Tests run against the TypeScript sources; `npm test` compiles first so CLI tests can run lib/. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json', diagnostics: false }],
  },
  snapshotFormat: { escapeString: false, printBasicPrototype: false },
  // A bound on a hang, not on speed: with both cores busy a test that takes 1 s idle can take 10.
  // Speed targets live in `npm run bench`.
  testTimeout: 60000,
};
