/**
 * The worker thread that scans one large YAML or JSON file (services/large-file-scan.ts starts it,
 * from its own bundle, dist/lib/scan-file-worker.cjs). `yaml` builds a document on the thread that runs
 * it, a second or two for a template of CloudFormation's 1 MB; here that thread is not the one that
 * answers SIGINT and SIGTERM. It reads no file: the text comes in a message, the result goes back.
 */
import {parentPort} from 'node:worker_threads'

import {scanManyForSecrets} from '../core/audit/secret-scan.js'
import {scanFile} from '../core/scan/scan-file.js'

/** A large file handed here is YAML or JSON: a .tf goes to the HCL parser's own worker. */
const noHcl = () => Promise.reject(new Error('HCL is parsed by services/hcl-parser.ts'))

parentPort?.on('message', ({file, text}: {file: string; text: string}) => {
  scanFile(file, text, scanManyForSecrets, noHcl).then(
    (result) => parentPort?.postMessage({result}),
    (error: unknown) => parentPort?.postMessage({error: error instanceof Error ? error.message : String(error)}),
  )
})
