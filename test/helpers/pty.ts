import {spawn} from 'node:child_process'
import {fileURLToPath} from 'node:url'

import {assertIsolated, BIN, cliEnv} from './cli.js'

export type PtyStep = {expect: string} | {send: string} | {signal: 'INT' | 'TERM'}

export interface PtyResult {
  /** Everything the terminal showed (prompts, echoes, output), ANSI included. */
  output: string
  exit: number
  failure: string | null
}

const DRIVER = fileURLToPath(new URL('pty_run.py', import.meta.url))

/** Runs the built CLI in a real pseudo-terminal (stdin, stdout and stderr all a TTY). */
export function runCliInPty(args: string[], steps: PtyStep[], env: Record<string, string | undefined> = {}): Promise<PtyResult> {
  return new Promise((resolve, reject) => {
    const childEnv = {...cliEnv(env), TERM: 'xterm'}
    assertIsolated(args, childEnv)
    const child = spawn('python3', [DRIVER], {stdio: ['pipe', 'pipe', 'inherit']})
    let out = ''
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString()
    })
    child.on('error', reject)
    child.on('close', () => {
      try {
        resolve(JSON.parse(out) as PtyResult)
      } catch (error) {
        reject(new Error(`pty driver printed no result: ${out}`, {cause: error}))
      }
    })
    child.stdin.end(
      JSON.stringify({argv: [process.execPath, BIN, ...args], env: childEnv, steps, timeout: 30}),
    )
  })
}

/**
 * The lines a terminal shows for raw pty output, as far as line width goes: a carriage return or a
 * cursor move to a column (how a spinner redraws its frame) starts the line anew, and every other
 * escape sequence takes no column.
 */
export function screenLines(output: string): string[] {
  return output
    .replaceAll(/\u001B\[\d*G|\r(?!\n)/g, '\n')
    .replaceAll(/\u001B\[[\d;?]*[A-Za-z]/g, '')
    .split(/\r?\n/)
}
