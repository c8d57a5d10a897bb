import {defineConfig} from 'vitest/config'

/**
 * The slow safety suites (over a minute on two cores): migrate killed at seeded points, and the leak
 * matrix in both modes. `npx vitest run --config vitest.slow.config.ts`; CI runs it after `npm test`.
 */
export default defineConfig({
  test: {
    globalSetup: ['test/helpers/global-setup.ts'],
    include: ['test/slow/**/*.slow.ts', 'test/safety/leaks.test.ts'],
    env: {SAFETY_FULL: '1'},
    testTimeout: 600_000,
    hookTimeout: 600_000,
    maxWorkers: 2,
  },
})
