/**
 * The HCL parser scan and grant --check hand to the pure core (core/scan/terraform.ts):
 * @cdktf/hcl2json's WebAssembly build of HashiCorp's own hcl library (no network). Loading it is I/O
 * (it reads and compiles 6.5 MB of WebAssembly), so it happens here, outside core, and only in a run
 * that has a .tf file.
 *
 * It runs in a worker thread with a budget of time and memory per file: a file far under the size cap
 * (a flat list of 600,000 items in 1.2 MB) took hcl2json minutes and gigabytes, and WebAssembly cannot
 * be interrupted from its own thread. The worker is stopped when a parse runs over, and the file is
 * reported as too complex to read; the main thread stays free to answer SIGINT and SIGTERM meanwhile.
 *
 * The worker loads the WebAssembly itself, with Go's runtime for it, rather than through the
 * package's entry: that entry unzips main.wasm.gz on every start and waits for the program by polling
 * a timer, when the build ships the module unzipped. The launcher keeps the module on V8's baseline
 * compiler (bin/wasm.cjs).
 */
import {createRequire} from 'node:module'
import {fileURLToPath} from 'node:url'
import {Worker} from 'node:worker_threads'

import createDebug from 'debug'

import {HclTooComplexError, type HclParser} from '../core/scan/terraform.js'

const trace = createDebug('secrets:scan')

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
 * The worker: loads Go's WebAssembly runtime and the module (paths given by the parent), starts the
 * Go program, which registers its functions on a global object and then waits for calls, says it is
 * ready, then answers one parse per message. The WebAssembly is compiled and the program started
 * before the first file's budget begins.
 */
const WORKER_SOURCE = `
const {parentPort, workerData} = require('node:worker_threads')
const {readFileSync} = require('node:fs')
require(workerData.runtime)
const bytes = readFileSync(workerData.wasm)
const code = workerData.wasm.endsWith('.gz') ? require('node:zlib').gunzipSync(bytes) : bytes
const exported = {}
globalThis.__parse_terraform_config_wasm__ = exported
const go = new globalThis.Go()
WebAssembly.instantiate(code, go.importObject).then(({instance}) => {
  void go.run(instance)
  if (typeof exported.parse !== 'function') throw new Error('the HCL parser did not start')
  parentPort.on('message', ({file, text}) => {
    try {
      exported.parse(file, text, (error, json) => parentPort.postMessage(error ? {error: String(error)} : {json: JSON.parse(json)}))
    } catch (error) {
      parentPort.postMessage({error: String((error && error.message) || error)})
    }
  })
  parentPort.postMessage({ready: true})
})
`

/**
 * Go's runtime and the WebAssembly: built, the runtime's bundle and the unzipped module in dist/
 * (scripts/bundle.ts); from the sources, the package's own files.
 */
function parserFiles(): {runtime: string; wasm: string} {
  const here = import.meta.url
  if (here.endsWith('.cjs')) return {runtime: fileURLToPath(new URL('../lib/hcl-go-runtime.cjs', here)), wasm: fileURLToPath(new URL('../hcl2json.wasm', here))}
  const resolve = createRequire(here).resolve
  return {runtime: resolve('@cdktf/hcl2json/wasm/bridge_wasm_exec.js'), wasm: resolve('@cdktf/hcl2json/main.wasm.gz')}
}

/** A worker thread and when its parser is ready (a rejection when it could not start). */
interface ParserWorker {
  thread: Worker
  ready: Promise<void>
}

let worker: ParserWorker | undefined

function startWorker(): ParserWorker {
  trace('starting the HCL parser')
  const thread = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: parserFiles(),
    // The JSON of a huge file is built on the worker's heap; WebAssembly's memory is watched below.
    resourceLimits: {maxOldGenerationSizeMb: 96, maxYoungGenerationSizeMb: 16},
    stdout: true,
    stderr: true,
  })
  // An idle worker must not hold a finished run open; a parse holds it while it waits.
  thread.unref()
  const ready = new Promise<void>((resolve, reject) => {
    const fail = () => {
      if (worker?.thread === thread) worker = undefined
      reject(new HclTooComplexError('could not be read (the HCL parser did not start)'))
    }

    thread.once('message', () => {
      thread.off('error', fail).off('exit', fail)
      resolve()
    })
    thread.once('error', fail).once('exit', fail)
  })
  return {thread, ready}
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
  worker ??= startWorker()
  const {thread: current, ready} = worker
  // The run waits for this parse: the worker holds it open until the answer.
  current.ref()
  try {
    await ready
  } catch (error) {
    current.unref()
    throw error
  }

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
