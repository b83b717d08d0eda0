// `npm run test:faults`: the fault-injection scenarios, each starting its own processes (see test/faults/).
export default {
  rootDir: '.',
  roots: ['<rootDir>/dist/test/faults'],
  testMatch: ['**/*.fault-spec.js'],
  transform: {},
  testEnvironment: 'node',
  testTimeout: 240000,
  forceExit: true,
};
