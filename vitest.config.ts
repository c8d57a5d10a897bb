import {defineConfig} from 'vitest/config'

export default defineConfig({
  test: {
    globalSetup: ['test/helpers/global-setup.ts'],
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    // Hooks start emulators, which wait for a slow start rather than fail (test/helpers/emulator.ts): a
    // hook's bound is the emulator's hang bound plus the hook's own work.
    hookTimeout: 240_000,
    // Two cores here and in CI: more workers only queue behind the emulator.
    maxWorkers: 2,
  },
})
