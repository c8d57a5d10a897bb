import {execFile} from 'node:child_process'
import {promisify} from 'node:util'
import {describe, expect, it} from 'vitest'

import {BATCH_HEAP_FLAGS} from '../bin/heap.cjs'
import {WASM_FLAGS} from '../bin/wasm.cjs'
import {ROOT, runCli, useOwnEmulator} from './helpers/cli.js'
import {publicCommandIds} from './helpers/manifest.js'

const run = promisify(execFile)

// Every command is started, audit and doctor among them: they read a whole account, so this file has
// an emulator of its own (none of them gets past its flags here).
await useOwnEmulator()

interface HeapFigures {
  startNewSpace: number
  maxNewSpace: number
  maxCommitted: number
}

/** test/fixtures/heap-workload.ts in a process of its own, in the batch settings or V8's defaults. */
async function workload(mode: 'batch' | 'default'): Promise<HeapFigures> {
  const {stdout} = await run(process.execPath, ['--import', 'tsx', 'test/fixtures/heap-workload.ts', mode], {cwd: ROOT})
  return JSON.parse(stdout) as HeapFigures
}

describe('the batch heap settings (bin/heap.cjs)', () => {
  it('keep a long run of promoted garbage to a fraction of the heap V8 grows by default', async () => {
    const batch = await workload('batch')
    const byDefault = await workload('default')
    // By default the young generation doubles up to its maximum and the old one fills with garbage
    // before a full collection; in the batch settings neither happens (measured here: a young
    // generation of 4 MiB, 8 on Node 24, and 36 to 39 MiB committed, against 32 and 128 MiB of young
    // generation and 118 to 162 MiB committed by default).
    expect(byDefault.maxNewSpace).toBeGreaterThan(byDefault.startNewSpace)
    expect(batch.maxNewSpace).toBeLessThanOrEqual(byDefault.maxNewSpace / 2)
    expect(batch.maxCommitted).toBeLessThanOrEqual(byDefault.maxCommitted / 2)
  }, 60_000)

  it('are set by migrate and promote, and by no other command; the WebAssembly settings by scan and grant alone', async () => {
    const preload = `--require ${JSON.stringify(`${ROOT}test/fixtures/record-v8-flags.cjs`)}`
    const setBy: Record<string, string[]> = {}
    for (const id of publicCommandIds()) {
      // A flag no command has: the launcher has chosen the settings from the command's name, then the parse refuses it.
      const result = await runCli([...id.split(' '), '--no-such-flag'], {env: {NODE_OPTIONS: preload}})
      expect(result.code, `${id}: ${result.stderr}`).not.toBe(0)
      const flags = result.stderr.split('\n').filter((line) => line.startsWith('v8-flags: '))
      if (flags.length > 0) setBy[id] = flags.map((line) => line.slice('v8-flags: '.length))
    }

    expect(setBy).toEqual({grant: WASM_FLAGS, migrate: BATCH_HEAP_FLAGS, promote: BATCH_HEAP_FLAGS, scan: WASM_FLAGS})
  }, 120_000)

  it.each(['migrate', 'scan'])('leave %s\'s code caches usable: a second run reads them instead of compiling again', async (id) => {
    // V8 rejects a code cache made under other flags. Set inside the command, the flags changed after
    // cli.cjs and the command's bundle had loaded, so the caches written at exit never matched the
    // next start, and every run compiled both again.
    const runOnce = () => runCli([id, '--no-such-flag'], {env: {DEBUG: 'secrets:code-cache'}})
    await runOnce()
    const second = await runOnce()
    const cacheLines = second.stderr.split('\n').filter((line) => line.includes('secrets:code-cache'))
    for (const bundle of [`cli@${id}@`, `commands+${id}@${id}@`]) {
      expect(cacheLines.find((line) => line.includes(` ${bundle}`)), cacheLines.join('\n')).toMatch(/ hit$/)
    }
  }, 60_000)
})
