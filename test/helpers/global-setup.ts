import type {TestProject} from 'vitest/node'

import {emulatorEnv, startEmulator} from './emulator.js'

declare module 'vitest' {
  export interface ProvidedContext {
    emulatorEndpoint: string
  }
}

/** One emulator serves every test file; each file works under its own /<env>/ prefix. */
export default async function setup(project: TestProject) {
  const emulator = await startEmulator()
  project.provide('emulatorEndpoint', emulator.endpoint)
  Object.assign(process.env, emulatorEnv(emulator.endpoint))
  return async () => {
    await emulator.stop()
  }
}
