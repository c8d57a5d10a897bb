/**
 * Scans a large YAML or JSON file in a worker thread, so the main thread stays free to answer SIGINT
 * and SIGTERM while `yaml` builds the document (a template of CloudFormation's 1 MB took about 2 s on
 * one thread of a busy 2-core machine, past the second a signal may wait). Ordinary files are scanned
 * in place: a worker costs more to start than they take.
 */
import {fileURLToPath} from 'node:url'
import {Worker} from 'node:worker_threads'

import type {FileScan} from '../core/scan/scan-file.js'

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

/** The file's scan, made in a worker; undefined when no worker can run it here (then scan it in place). */
export async function scanInWorker(file: string, text: string): Promise<FileScan | undefined> {
  const bundle = workerBundle()
  if (bundle === undefined) return undefined
  const worker = new Worker(bundle, {stdout: true, stderr: true})
  // A run that is ending (a signal, an error elsewhere) is not held open by the worker.
  worker.unref()
  try {
    return await new Promise<FileScan>((resolve, reject) => {
      worker.once('message', (answer: {result?: FileScan; error?: string}) => {
        if (answer.result) resolve(answer.result)
        else reject(new Error(`scanning ${file} failed: ${answer.error ?? 'no answer'}`))
      })
      worker.once('error', reject)
      worker.once('exit', (code) => reject(new Error(`the scan of ${file} stopped (exit ${code})`)))
      worker.postMessage({file, text})
    })
  } finally {
    await worker.terminate()
  }
}
