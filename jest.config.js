/**
 * Tests run against the TypeScript sources; `npm test` compiles first so CLI tests can run lib/.
 *
 * Two projects: `unit` (everything but test/cluster/) and `cluster` (test/cluster/: manifests
 * applied to a real API server). Jest runs a project's global setup only when one of its tests is
 * selected, so `jest test/concerns` starts no cluster.
 */
const common = {
  rootDir: __dirname,
  testEnvironment: 'node',
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json', diagnostics: false }],
  },
  snapshotFormat: { escapeString: false, printBasicPrototype: false },
};

module.exports = {
  // A bound on a hang, not on speed: with both cores busy a test that takes 1 s idle can take 10.
  // Speed targets live in `npm run bench`. (A global option: jest ignores it inside a project.)
  testTimeout: 60000,
  projects: [
    { ...common, displayName: 'unit', roots: ['<rootDir>/test'], testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/cluster/'] },
    {
      ...common,
      displayName: 'cluster',
      roots: ['<rootDir>/test/cluster'],
      globalSetup: '<rootDir>/test/cluster/global-setup.ts',
      globalTeardown: '<rootDir>/test/cluster/global-teardown.ts',
    },
  ],
};
