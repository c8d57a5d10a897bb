import {defineConfig} from 'vitest/config'

export default defineConfig({
  test: {
    globalSetup: ['test/helpers/global-setup.ts'],
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two cores here and in CI: more workers only queue behind the emulator.
    maxWorkers: 2,
  },
})
