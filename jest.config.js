// Every test file runs twice: against a PostgreSQL server and against the embedded database
// (PGlite), each migrated once per run in globalSetup (PGlite cannot start inside jest's VM).
// test/build holds what runs once: drift checks and tests of the built service as a process.
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
    },
    module: { type: 'commonjs' },
  },
];

const common = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': swc },
  moduleFileExtensions: ['ts', 'js', 'json'],
};

const database = (name) => ({
  ...common,
  displayName: name,
  testMatch: ['<rootDir>/src/**/*.test.ts', '<rootDir>/test/**/*.test.ts'],
  // test/reliability is the long-running suite: `npm run test:reliability` (jest.reliability.config.js).
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/build/', '<rootDir>/test/reliability/'],
  globalSetup: `<rootDir>/test/setup/${name}.global.ts`,
  globalTeardown: `<rootDir>/test/setup/${name}.teardown.ts`,
  setupFiles: ['reflect-metadata', '<rootDir>/test/setup/fresh-orm-metadata.ts', `<rootDir>/test/setup/use-${name}.ts`],
});

module.exports = {
  testTimeout: 60_000,
  projects: [
    database('postgres'),
    database('embedded'),
    {
      ...common,
      displayName: 'build',
      testMatch: ['<rootDir>/test/build/**/*.test.ts'],
      setupFiles: ['reflect-metadata', '<rootDir>/test/setup/fresh-orm-metadata.ts'],
    },
  ],
};
