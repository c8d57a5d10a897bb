/**
 * The HCL parser scan and grant --check hand to the pure core (core/scan/terraform.ts):
 * @cdktf/hcl2json, HashiCorp's own hcl library compiled to WebAssembly and shipped in the npm package
 * (no network). Loading it is I/O (it reads and compiles main.wasm.gz), so it happens here, outside
 * core, and only on the first .tf file of a run.
 *
 * It runs in a worker thread with a budget of time and memory per file: a file far under the size cap
 * (a flat list of 600,000 items in 1.2 MB) took hcl2json minutes and gigabytes, and WebAssembly cannot
 * be interrupted from its own thread. The worker is stopped when a parse runs over, and the file is
 * reported as too complex to read; the main thread stays free to answer SIGINT and SIGTERM meanwhile.
 */
import {createRequire} from 'node:module'
import {fileURLToPath} from 'node:url'
import {Worker} from 'node:worker_threads'

import {HclTooComplexError, type HclParser} from '../core/scan/terraform.js'

/**
 * A file of a few hundred KB parses within a second or two once the parser is warm (a 300 KB file of
 * 800 functions: 1 to 5 s on a busy 2-core machine, 50 MB); the budget leaves room for that and
 * refuses a file built to be expensive in seconds, not minutes.
 */
export const HCL_PARSE_MS = 8000
/** What one parse may add to the process's resident memory (hcl2json's Go heap never gives it back). */
export const HCL_PARSE_GROWTH_BYTES = 128 * 1024 * 1024
const MEMORY_CHECK_MS = 20

/**
 * The worker: loads hcl2json (its path given by the parent), warms it up with an empty file (so the
 * WebAssembly's compilation and start are not counted against the first file's budget), says it is
 * ready, then answers one parse per message.
 */
const WORKER_SOURCE = `
const {parentPort, workerData} = require('node:worker_threads')
const {parse} = require(workerData.module)
const answer = (promise) => promise.then(
  (json) => parentPort.postMessage({json}),
  (error) => parentPort.postMessage({error: String((error && error.message) || error)}),
)
answer(parse('warm-up.tf', ''))
parentPort.on('message', ({file, text}) => answer(parse(file, text)))
`

/**
 * Where hcl2json is: its own bundle beside this command's when built (dist/lib, which finds
 * main.wasm.gz in dist/), the package itself when run from the sources.
 */
function hcl2jsonModule(): string {
  const here = import.meta.url
  return here.endsWith('.cjs') ? fileURLToPath(new URL('../lib/cdktf-hcl2json.cjs', here)) : createRequire(here).resolve('@cdktf/hcl2json')
}

let worker: Promise<Worker> | undefined

/** A worker with the parser loaded, or a rejection when it could not start. */
function startWorker(): Promise<Worker> {
  const started = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: {module: hcl2jsonModule()},
    // The JSON of a huge file is built on the worker's heap; WebAssembly's memory is watched below.
    resourceLimits: {maxOldGenerationSizeMb: 96, maxYoungGenerationSizeMb: 16},
    stdout: true,
    stderr: true,
  })
  return new Promise<Worker>((resolve, reject) => {
    const fail = () => reject(new HclTooComplexError('could not be read (the HCL parser did not start)'))
    started.once('message', () => {
      started.off('error', fail).off('exit', fail)
      // An idle worker must not keep a finished run alive.
      started.unref()
      resolve(started)
    })
    started.once('error', fail).once('exit', fail)
  })
}

/** The worker answers one parse at a time, in order: a second waits for the first. */
let queue: Promise<unknown> = Promise.resolve()

/** HCL text to hcl2json's JSON form; rejects on a syntax error with HCL's diagnostic, or HclTooComplexError. */
export const parseHcl: HclParser = (file, text) => {
  const parsed = queue.then(() => parseInWorker(file, text))
  queue = parsed.catch(() => undefined)
  return parsed
}

async function parseInWorker(file: string, text: string): Promise<unknown> {
  const current = await (worker ??= startWorker().catch((error: unknown) => {
    worker = undefined
    throw error
  }))
  current.ref()
  return new Promise((resolve, reject) => {
    const before = process.memoryUsage.rss()
    const stop = (why: string) => {
      settle()
      worker = undefined
      void current.terminate()
      reject(new HclTooComplexError(why))
    }

    const timer = setTimeout(() => stop(`too complex to read (not parsed within ${HCL_PARSE_MS / 1000} s)`), HCL_PARSE_MS)
    const watch = setInterval(() => {
      if (process.memoryUsage.rss() - before > HCL_PARSE_GROWTH_BYTES) stop(`too complex to read (parsing it took more than ${HCL_PARSE_GROWTH_BYTES / 1024 / 1024} MB)`)
    }, MEMORY_CHECK_MS)
    const onMessage = (answer: {json?: unknown; error?: string}) => {
      settle()
      if (answer.error === undefined) resolve(answer.json)
      else reject(new Error(answer.error))
    }

    // Out of heap (resourceLimits) or any other end of the worker: the file is not read.
    const onError = () => stop('too complex to read (the parser ran out of memory)')
    const onExit = () => stop('too complex to read (the parser stopped)')
    function settle() {
      clearTimeout(timer)
      clearInterval(watch)
      current.off('message', onMessage).off('error', onError).off('exit', onExit)
      current.unref()
    }

    current.on('message', onMessage).on('error', onError).on('exit', onExit)
    current.postMessage({file, text})
  })
}
