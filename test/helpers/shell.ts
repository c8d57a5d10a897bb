import {spawn} from 'node:child_process'
import {chmod, mkdtemp, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, beforeAll} from 'vitest'

import {BIN, type CliResult, cliEnv} from './cli.js'

/**
 * A shell whose `secrets` is the built CLI, so a printed command (audit's fixes) runs exactly as a
 * user would paste it. The shim's folder is made before the file's tests and removed after them.
 */
export function useShell(label: string): {run(line: string): Promise<CliResult>} {
  let shimDir: string | undefined
  beforeAll(async () => {
    shimDir = await mkdtemp(join(tmpdir(), `secrets-${label}-`))
    await writeFile(join(shimDir, 'secrets'), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`)
    await chmod(join(shimDir, 'secrets'), 0o755)
  })
  afterAll(async () => {
    if (shimDir) await rm(shimDir, {recursive: true, force: true})
  })
  return {run: (line) => runInShell(line, shimDir as string)}
}

/** Runs one line in `sh -c`, stdin a pipe (no terminal), against this file's emulator. */
function runInShell(line: string, shimDir: string): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const base = cliEnv()
    const child = spawn('sh', ['-c', line], {env: {...base, PATH: `${shimDir}:${base.PATH ?? ''}`}, stdio: ['pipe', 'pipe', 'pipe']})
    const out: Buffer[] = []
    const err: Buffer[] = []
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk))
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk))
    child.on('error', reject)
    child.on('close', (code) => {
      const stdoutBytes = Buffer.concat(out)
      resolve({code, stdout: stdoutBytes.toString('utf8'), stdoutBytes, stderr: Buffer.concat(err).toString('utf8')})
    })
    child.stdin.end('')
  })
}
