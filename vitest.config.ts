import {configDefaults, defineConfig} from 'vitest/config'

/**
 * The unit tier: files that start nothing (no emulator, no built CLI, no terminal), run alone by
 * `npm run test:unit` in seconds. A file lands here only by name, so a new test file gets the
 * emulator tier (and its emulator) until someone moves it here on purpose.
 */
const UNIT = [
  'test/core/**/*.test.ts',
  'test/ui/**/*.test.ts',
  'test/bench/**/*.test.ts',
  'test/aws/{errors,paging,quotas,readers-memory,redact}.test.ts',
  'test/services/{dotenv-hash,fields,hints-by-mode,list,migrate-configuration,rollback}.test.ts',
  'test/stores/{batch-current,memory-store}.test.ts',
  'test/docs/{command-reference,hint-flags,runtime-snippets}.test.ts',
  'test/integration/migrate-service.test.ts',
  'test/commands/doctor-denied.test.ts',
]

export default defineConfig({
  test: {
    testTimeout: 60_000,
    // Hooks start emulators, which wait for a slow start rather than fail (test/helpers/emulator.ts): a
    // hook's bound is the emulator's hang bound plus the hook's own work.
    hookTimeout: 240_000,
    // Two cores here and in CI: more workers only queue behind the emulator.
    maxWorkers: 2,
    projects: [
      // Not isolated: its files share a worker's loaded modules (the SDK, the core), which halves the
      // tier's CPU time; a file that patches a shared module (mockClient) restores it after its tests.
      {extends: true, test: {name: 'unit', include: UNIT, isolate: false}},
      {
        extends: true,
        test: {
          name: 'emulator',
          include: ['test/**/*.test.ts'],
          exclude: [...configDefaults.exclude, ...UNIT],
          // One emulator for the whole run, started only when a file of this tier runs.
          globalSetup: ['test/helpers/global-setup.ts'],
        },
      },
    ],
  },
})
