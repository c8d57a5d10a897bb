import {spawn} from 'node:child_process'
import {fileURLToPath} from 'node:url'
import {randomBytes} from 'node:crypto'

import {afterAll, inject} from 'vitest'

import {type Emulator, emulatorEnv, scrubbedEnv, startEmulator} from './emulator.js'

export const ROOT = fileURLToPath(new URL('../..', import.meta.url))
export const BIN = `${ROOT}bin/run.js`

export interface CliResult {
  code: number | null
  stdout: string
  stdoutBytes: Buffer
  stderr: string
}

export interface CliOptions {
  /** Bytes for stdin; stdin is an empty pipe (no TTY) when omitted. */
  input?: string | Uint8Array
  env?: Record<string, string | undefined>
  cwd?: string
  timeoutMs?: number
}

/**
 * The rule for sharing the emulator: test files share one (the global setup's), each under its own
 * `/<env>/` prefix (`uniqueEnv`), EXCEPT a file that runs a command reading a whole account. Those
 * see every other file's secrets and parameters, and moto's account-wide listings are not consistent
 * while another file creates and deletes (DescribeParameters answered 500 to an audit that ran beside
 * the kill suite). Such a file calls `await useOwnEmulator()` at its top, and every `runCli`,
 * `runCliInPty` and fixture of that file then talks to an emulator nobody else writes to. `runCli`
 * refuses an account-wide command aimed at the shared emulator, so the rule cannot be forgotten.
 */
export const ACCOUNT_WIDE_COMMANDS: ReadonlySet<string> = new Set(['audit', 'doctor'])

let ownEndpoint: string | undefined

/** The emulator this test file talks to: its own (`useOwnEmulator`) or the shared one. */
export function emulatorEndpoint(): string {
  return ownEndpoint ?? inject('emulatorEndpoint')
}

/** Starts an emulator for this test file alone (stopped after the file); see ACCOUNT_WIDE_COMMANDS. */
export async function useOwnEmulator(): Promise<Emulator> {
  const emulator = await startEmulator()
  ownEndpoint = emulator.endpoint
  afterAll(async () => {
    ownEndpoint = undefined
    await emulator.stop()
  })
  return emulator
}

/** Throws when `args` run an account-wide command against the emulator other files write to. */
export function assertIsolated(args: string[], env: Record<string, string>): void {
  if (!ACCOUNT_WIDE_COMMANDS.has(args[0] ?? '')) return
  if (args.some((arg) => arg === '--endpoint-url' || arg.startsWith('--endpoint-url='))) return
  const shared = inject('emulatorEndpoint')
  if (env.AWS_ENDPOINT_URL === shared || env.AWS_ENDPOINT_URL_SECRETS_MANAGER === shared || env.AWS_ENDPOINT_URL_SSM === shared) {
    throw new Error(`"${args[0]}" reads the whole account: call \`await useOwnEmulator()\` at the top of this test file (see ACCOUNT_WIDE_COMMANDS in test/helpers/cli.ts).`)
  }
}

/** The environment the built CLI runs with in tests: the emulator, fake credentials, no real AWS. */
export function cliEnv(extra: Record<string, string | undefined> = {}): Record<string, string> {
  const env: Record<string, string | undefined> = {...scrubbedEnv(), ...emulatorEnv(emulatorEndpoint()), ...extra}
  return Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined)) as Record<string, string>
}

/** Runs the built CLI as a user's shell or a pipeline would: a subprocess, stdin piped, no TTY. */
export function runCli(args: string[], options: CliOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const env = cliEnv(options.env)
    assertIsolated(args, env)
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: options.cwd ?? ROOT,
      env,
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    const out: Buffer[] = []
    const err: Buffer[] = []
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk))
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk))
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000)
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      const stdoutBytes = Buffer.concat(out)
      resolve({code, stdout: stdoutBytes.toString('utf8'), stdoutBytes, stderr: Buffer.concat(err).toString('utf8')})
    })
    child.stdin.on('error', () => {})
    child.stdin.end(options.input ?? '')
  })
}

/** A fresh environment name per test file, so files never collide on the shared emulator. */
export function uniqueEnv(label: string): string {
  return `${label}-${randomBytes(3).toString('hex')}x`
}
