// The long-running reliability suite (`npm run test:reliability`, after `npm test` in CI):
// test/reliability/*.test.ts run against the PostgreSQL server and against the embedded database,
// as the main suite does; test/reliability/process/ runs once and drives built services (`dist/`)
// through crashes and database faults. The figures of the run go to test/reliability/RESULTS.md.
const base = require('./jest.config.js');

const project = (name) => base.projects.find((p) => p.displayName === name);
const onDatabase = (name) => ({
  ...project(name),
  displayName: `reliability-${name}`,
  testMatch: ['<rootDir>/test/reliability/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/'],
});

module.exports = {
  testTimeout: 600_000,
  // One file at a time: the figures are about correctness under the load each test makes itself.
  maxWorkers: 1,
  reporters: ['default', '<rootDir>/test/reliability/results-reporter.js'],
  projects: [
    onDatabase('postgres'),
    onDatabase('embedded'),
    { ...project('build'), displayName: 'reliability-process', testMatch: ['<rootDir>/test/reliability/process/**/*.test.ts'] },
  ],
};
