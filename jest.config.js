// Tests run on the compiled output (`npm test` builds first): NestJS 12 is ESM-only and Jest on Node 20
// loads ESM only through --experimental-vm-modules, so there is one compile and no transform.
export default {
  rootDir: '.',
  roots: ['<rootDir>/dist'],
  testMatch: ['**/*.spec.js', '**/*.e2e-spec.js'],
  transform: {},
  testEnvironment: 'node',
  testTimeout: 30000,
  globalSetup: '<rootDir>/dist/test/support/global-setup.js',
  // fetch's keep-alive sockets (undici) outlive a test file by a few seconds; do not let them hold the run open.
  forceExit: true,
};
