/**
 * Scans a large YAML or JSON file in a worker thread, so the main thread stays free to answer SIGINT
 * and SIGTERM while `yaml` builds the document (a template of CloudFormation's 1 MB took about 2 s on
 * one thread of a busy 2-core machine, past the second a signal may wait). Ordinary files are scanned
 * in place: a worker costs more to start than they take.
 *
 * One worker serves the whole run, one file at a time, as the HCL parser's does: a tree of many large
 * files pays for one start, not one per file.
 */
import {fileURLToPath} from 'node:url'
import {Worker} from 'node:worker_threads'

import createDebug from 'debug'

import type {FileScan} from '../core/scan/scan-file.js'

const trace = createDebug('secrets:scan')

/** Files of more characters than this are scanned in the worker: under half a second of parsing on one busy thread. */
export const LARGE_FILE_CHARS = 200_000

/**
 * The worker's bundle beside this command's (dist/lib). From the sources (tests of the pure core and
 * the services run there) there is no bundle: undefined, and the caller scans in place.
 */
function workerBundle(): string | undefined {
  const here = import.meta.url
  return here.endsWith('.cjs') ? fileURLToPath(new URL('../lib/scan-file-worker.cjs', here)) : undefined
}

let worker: Worker | undefined

/** The run's worker, started on the first large file; an idle worker never holds a finished run open. */
function runWorker(bundle: string): Worker {
  if (worker === undefined) {
    trace('starting the scan worker')
    worker = new Worker(bundle, {stdout: true, stderr: true})
    worker.unref()
  }

  return worker
}

/** The worker scans one file at a time, in order: a second waits for the first. */
let queue: Promise<unknown> = Promise.resolve()

/** The file's scan, made in the run's worker; undefined when no worker can run it here (then scan it in place). */
export function scanInWorker(file: string, text: string): Promise<FileScan | undefined> {
  const bundle = workerBundle()
  if (bundle === undefined) return Promise.resolve(undefined)
  const scanned = queue.then(() => scanOne(runWorker(bundle), file, text))
  queue = scanned.catch(() => undefined)
  return scanned
}

function scanOne(current: Worker, file: string, text: string): Promise<FileScan> {
  current.ref()
  return new Promise<FileScan>((resolve, reject) => {
    const onMessage = (answer: {result?: FileScan; error?: string}) => {
      settle()
      if (answer.result) resolve(answer.result)
      else reject(new Error(`scanning ${file} failed: ${answer.error ?? 'no answer'}`))
    }

    // A worker that failed or stopped is not used again: the next large file gets a new one.
    const onError = (error: Error) => {
      settle()
      worker = undefined
      void current.terminate()
      reject(error)
    }

    const onExit = (code: number) => {
      settle()
      worker = undefined
      reject(new Error(`the scan of ${file} stopped (exit ${code})`))
    }

    function settle() {
      current.off('message', onMessage).off('error', onError).off('exit', onExit)
      current.unref()
    }

    current.on('message', onMessage).on('error', onError).on('exit', onExit)
    current.postMessage({file, text})
  })
}
