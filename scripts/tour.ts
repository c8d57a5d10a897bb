import {spawnSync} from 'node:child_process'
import {fileURLToPath} from 'node:url'

/** What a tour step can do: narrate, and run the real built CLI (or another command) against the emulator. */
export interface Tour {
  /** The emulator's endpoint; every command of the tour already has it in AWS_ENDPOINT_URL. */
  endpoint: string
  /** Environment every command of the tour runs with (emulator endpoint, fake credentials). */
  env: Record<string, string>
  section(title: string, text?: string): void
  say(text: string): void
  /**
   * Runs `secrets ARGS`, prints the command line and its output, and fails the demo when the exit
   * code is not `expect` (default 0). `stdin` is piped; `shownStdin` is how the pipe is shown (a value
   * is never printed: pass e.g. 'printf %s "$DB_PASS"').
   */
  secrets(args: string[], options?: {stdin?: string; shownStdin?: string; expect?: number; quiet?: boolean}): RunResult
  /** Runs another program (the AWS CLI, to seed or to compare). */
  shell(command: string, args: string[], options?: {expect?: number; quiet?: boolean}): RunResult
  /**
   * Runs a shell line (bash) exactly as shown, e.g. a fix an audit printed; `secrets` in it is the
   * built CLI. `env` adds variables that are not shown.
   */
  line(text: string, options?: {expect?: number; env?: Record<string, string>}): RunResult
}

/** A finished run: each stream whole, and `pieces`, both streams in the order they were written. */
export interface RunResult {
  stdout: string
  stderr: string
  code: number
  pieces: Piece[]
}

export interface Piece {
  stream: 'stdout' | 'stderr'
  text: string
}

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const STREAM_ORDER = fileURLToPath(new URL('stream-order.cjs', import.meta.url))
const BIN = `${ROOT}bin/run.js`
const bold = (text: string) => (process.stdout.isTTY ? `\u001B[1m${text}\u001B[22m` : text)
const dim = (text: string) => (process.stdout.isTTY ? `\u001B[2m${text}\u001B[22m` : text)

export function createTour(endpoint: string, env: Record<string, string>): Tour {
  const show = (line: string, result: RunResult, quiet?: boolean) => {
    console.log(bold(`$ ${line}`))
    if (quiet) {
      // A command shown with nothing under it reads as broken: say what was left out, and how much.
      const shown = omitted(result.stdout)
      if (shown) console.log(dim(shown))
    } else {
      const text = result.pieces.map((piece) => (piece.stream === 'stderr' ? dimLines(piece.text) : piece.text)).join('')
      if (text.trim()) console.log(text.replace(/\n$/, ''))
      else if (result.code === 0) console.log(dim('(no output)'))
    }

    if (result.code !== 0) console.log(dim(`(exit ${result.code})`))
  }

  const check = (line: string, code: number, expect: number) => {
    if (code !== expect) throw new Error(`demo step failed: "${line}" exited ${code}, expected ${expect}`)
  }

  const step = (line: string, result: RunResult, options: {expect?: number; quiet?: boolean}) => {
    show(line, result, options.quiet)
    check(line, result.code, options.expect ?? 0)
    return result
  }

  return {
    endpoint,
    env,
    section(title, text) {
      console.log(`\n${bold(`== ${title}`)}`)
      if (text) console.log(text)
    },
    say(text) {
      console.log(text)
    },
    secrets(args, options = {}) {
      const line = `${options.shownStdin ? `${options.shownStdin} | ` : ''}secrets ${args.map(quote).join(' ')}`
      return step(line, runRecorded(process.execPath, [BIN, ...args], {env, input: options.stdin}), options)
    },
    shell(command, args, options = {}) {
      return step(`${command} ${args.map(quote).join(' ')}`, runRecorded(command, args, {env}), options)
    },
    line(text, options = {}) {
      const script = `secrets() { "$SECRETS_DEMO_NODE" "$SECRETS_DEMO_BIN" "$@"; }\n${text}`
      const result = runRecorded('bash', ['-c', script], {env: {...env, ...options.env, SECRETS_DEMO_NODE: process.execPath, SECRETS_DEMO_BIN: BIN}})
      return step(text, result, options)
    },
  }
}

/** Dims each line of stderr on its own, so a line cut by the next piece of stdout never stays dim. */
function dimLines(text: string): string {
  return text
    .split('\n')
    .map((line) => (line ? dim(line) : line))
    .join('\n')
}

/**
 * Runs COMMAND with stdout and stderr each a pipe, and tells from the record stream-order.cjs keeps
 * on fd 3 (loaded into every Node process the command starts) in which order their writes came:
 * captured apart, a command's progress on stderr would be printed after the table it preceded. A
 * program that is not Node keeps no record: its stdout is shown, then its stderr.
 */
export function runRecorded(command: string, args: string[], options: {env: Record<string, string>; input?: string}): RunResult {
  const nodeOptions = [options.env.NODE_OPTIONS, `--require ${JSON.stringify(STREAM_ORDER)}`].filter(Boolean).join(' ')
  const run = spawnSync(command, args, {
    env: {...options.env, NODE_OPTIONS: nodeOptions},
    input: options.input ?? '',
    stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
  })
  const stdout = run.stdout ?? Buffer.alloc(0)
  const stderr = run.stderr ?? Buffer.alloc(0)
  const record = (run.output?.[3] ?? Buffer.alloc(0)).toString('utf8')
  return {stdout: stdout.toString('utf8'), stderr: stderr.toString('utf8'), code: run.status ?? 1, pieces: interleave(stdout, stderr, record)}
}

/** stdout and stderr cut into the writes RECORD lists (`1 <bytes>` or `2 <bytes>` a line), in its order; bytes it does not cover follow, stdout first. */
export function interleave(stdout: Buffer, stderr: Buffer, record: string): Piece[] {
  const streams = {stdout: {bytes: stdout, at: 0}, stderr: {bytes: stderr, at: 0}}
  const cuts: Array<{stream: Piece['stream']; end: number}> = []
  for (const line of record.split('\n')) {
    const match = /^([12]) (\d+)$/.exec(line)
    if (!match) continue
    const stream = match[1] === '1' ? 'stdout' : 'stderr'
    const source = streams[stream]
    source.at = Math.min(source.bytes.length, source.at + Number(match[2]))
    cuts.push({stream, end: source.at})
  }

  cuts.push({stream: 'stdout', end: stdout.length}, {stream: 'stderr', end: stderr.length})
  const pieces: Piece[] = []
  const from = {stdout: 0, stderr: 0}
  for (const {stream, end} of cuts) {
    if (end <= from[stream]) continue
    const text = streams[stream].bytes.subarray(from[stream], end).toString('utf8')
    from[stream] = end
    const last = pieces.at(-1)
    if (last?.stream === stream) last.text += text
    else pieces.push({stream, text})
  }

  return pieces
}

function quote(arg: string): string {
  return /^[\w./:=@,+-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", "'\\''")}'`
}

/** The line that stands for the output of a quiet step: what it was (a JSON document, text) and how long. */
export function omitted(stdout: string): string | undefined {
  const text = stdout.trim()
  if (text === '') return undefined
  const lines = text.split('\n').length
  const json = /^[[{]/.test(text) ? 'a JSON document' : 'output'
  return `(${json} of ${lines} line${lines === 1 ? '' : 's'} on stdout, not shown here)`
}

/** The `secrets` command lines of a transcript shown with nothing under them (next: a command, a section or the end). */
export function silentCommands(transcript: string): string[] {
  const lines = transcript.split('\n')
  return lines.filter((line, i) => line.startsWith('$ secrets ') && (i + 1 === lines.length || /^\$ |^== |^$/.test(lines[i + 1])))
}
