// `npm run test:unit`: the `*.spec.ts` beside the code (pure logic: crypto, XML, token keys, job ids, schedules,
// error mapping), no database, Redis or processes — seconds, for the edit-compile-test loop. `npm test` runs them too.
export default {
  rootDir: '.',
  roots: ['<rootDir>/dist/apps', '<rootDir>/dist/libs'],
  testMatch: ['**/*.spec.js'],
  transform: {},
  testEnvironment: 'node',
};
