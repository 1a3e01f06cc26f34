/** Tests run against the TypeScript sources; `npm test` compiles first so CLI tests can run lib/. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json', diagnostics: false }],
  },
  snapshotFormat: { escapeString: false, printBasicPrototype: false },
};
