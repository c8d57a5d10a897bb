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
// (and `migrate --all-functions`, checked in assertIsolated)

let ownEndpoint: string | undefined

/** The emulator this test file talks to: its own (`useOwnEmulator`) or the shared one. */
export function emulatorEndpoint(): string {
  return ownEndpoint ?? inject('emulatorEndpoint')
}

/** Starts an emulator for this test file alone (stopped after the file); see ACCOUNT_WIDE_COMMANDS. */
export async function useOwnEmulator(options: {awsManagedPolicies?: boolean} = {}): Promise<Emulator> {
  const emulator = await startEmulator(options)
  ownEndpoint = emulator.endpoint
  afterAll(async () => {
    ownEndpoint = undefined
    await emulator.stop()
  })
  return emulator
}

/** Throws when `args` run an account-wide command against the emulator other files write to. */
export function assertIsolated(args: string[], env: Record<string, string>): void {
  // `migrate --all-functions` reads every Lambda function of the account, as audit does.
  const accountWide = ACCOUNT_WIDE_COMMANDS.has(args[0] ?? '') || (args[0] === 'migrate' && args.includes('--all-functions'))
  if (!accountWide) return
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
export async function runCli(args: string[], options: CliOptions = {}): Promise<CliResult> {
  const started = startCli(args, options)
  started.stdin.end(options.input ?? '')
  return started.result
}

/** A fresh environment name per test file, so files never collide on the shared emulator. */
export function uniqueEnv(label: string): string {
  return `${label}-${randomBytes(3).toString('hex')}x`
}

/** A CLI run whose stdin the test writes and closes when it chooses (a pipe kept open, a slow producer). */
export interface StartedCli {
  stdin: NodeJS.WritableStream
  kill(signal: NodeJS.Signals): void
  /** Resolves when stderr has shown `pattern` (rejects if the process ends first). */
  stderrShows(pattern: RegExp): Promise<void>
  result: Promise<CliResult>
}

/** Starts the built CLI with stdin a pipe the caller ends (`runCli` ends it at once, with its input). */
export function startCli(args: string[], options: Omit<CliOptions, 'input'> = {}): StartedCli {
  const env = cliEnv(options.env)
  assertIsolated(args, env)
  const child = spawn(process.execPath, [BIN, ...args], {cwd: options.cwd ?? ROOT, env, stdio: ['pipe', 'pipe', 'pipe']})
  const out: Buffer[] = []
  const err: Buffer[] = []
  const waiters: Array<{pattern: RegExp; resolve: () => void}> = []
  child.stdout.on('data', (chunk: Buffer) => out.push(chunk))
  child.stderr.on('data', (chunk: Buffer) => {
    err.push(chunk)
    // Only while someone waits: a long stderr (runCli's, mostly) is not joined again at every chunk.
    if (waiters.length === 0) return
    const text = Buffer.concat(err).toString('utf8')
    for (const waiter of waiters.filter((w) => w.pattern.test(text))) waiter.resolve()
  })
  child.stdin.on('error', () => {})
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000)
  const result = new Promise<CliResult>((resolve, reject) => {
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      const stdoutBytes = Buffer.concat(out)
      resolve({code, stdout: stdoutBytes.toString('utf8'), stdoutBytes, stderr: Buffer.concat(err).toString('utf8')})
    })
  })
  return {
    stdin: child.stdin,
    kill: (signal) => child.kill(signal),
    stderrShows: (pattern) =>
      new Promise<void>((resolve, reject) => {
        if (pattern.test(Buffer.concat(err).toString('utf8'))) return resolve()
        waiters.push({pattern, resolve})
        void result.then((r) => reject(new Error(`exited ${r.code} before stderr showed ${pattern}: ${r.stderr}`)))
      }),
    result,
  }
}

export interface ProcessResult {
  code: number | null
  stdout: string
  stderr: string
}

/** Runs a program to its end with stdin closed, keeping what it printed. */
export function runProcess(command: string, args: string[], options: {cwd: string; env: Record<string, string>}): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {...options, stdio: ['ignore', 'pipe', 'pipe']})
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    child.on('error', reject)
    child.on('close', (code) => resolve({code, stdout, stderr}))
  })
}

/** Runs examples/<script> with bash as a pipeline would, `$SECRETS` being the built bin/run.js. */
export function runRecipe(script: string, args: string[], env: Record<string, string | undefined> = {}, cwd = ROOT): Promise<ProcessResult> {
  return runProcess('bash', [`${ROOT}examples/${script}`, ...args], {cwd, env: cliEnv({SECRETS: `${process.execPath} ${BIN}`, ...env})})
}
