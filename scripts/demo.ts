/**
 * `npm run demo`: starts the emulator, runs every tour in scripts/tours/ (in file-name order) with the
 * real built CLI, and stops the emulator. Nothing reaches a real AWS endpoint.
 */
import {readdir} from 'node:fs/promises'
import {fileURLToPath, pathToFileURL} from 'node:url'

import {emulatorEnv, scrubbedEnv, startEmulator} from '../test/helpers/emulator.js'
import {createTour, type Tour} from './tour.js'

const toursDir = fileURLToPath(new URL('tours/', import.meta.url))
const emulator = await startEmulator()
let failed = false
try {
  const env = {...scrubbedEnv(), ...emulatorEnv(emulator.endpoint)}
  const tour = createTour(emulator.endpoint, env)
  tour.say(`Emulator (moto_server) on ${emulator.endpoint}; every command below is the real CLI and the real AWS SDK.`)
  const files = (await readdir(toursDir)).filter((file) => /\.ts$/.test(file)).sort()
  for (const file of files) {
    const module = (await import(pathToFileURL(`${toursDir}${file}`).href)) as {default: (tour: Tour) => Promise<void>}
    await module.default(tour)
  }

  tour.section('Done', 'The emulator is stopped; nothing was sent to AWS.')
} catch (error) {
  failed = true
  console.error(error instanceof Error ? error.message : error)
} finally {
  await emulator.stop()
}

process.exitCode = failed ? 1 : 0
