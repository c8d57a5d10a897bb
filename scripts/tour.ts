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
  secrets(args: string[], options?: {stdin?: string; shownStdin?: string; expect?: number; quiet?: boolean}): {stdout: string; stderr: string; code: number}
  /** Runs another program (the AWS CLI, to seed or to compare). */
  shell(command: string, args: string[], options?: {expect?: number; quiet?: boolean}): {stdout: string; stderr: string; code: number}
}

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const bold = (text: string) => (process.stdout.isTTY ? `\u001B[1m${text}\u001B[22m` : text)
const dim = (text: string) => (process.stdout.isTTY ? `\u001B[2m${text}\u001B[22m` : text)

export function createTour(endpoint: string, env: Record<string, string>): Tour {
  const show = (line: string, result: {stdout: string; stderr: string; code: number}, quiet?: boolean) => {
    console.log(bold(`$ ${line}`))
    if (quiet) {
      // A command shown with nothing under it reads as broken: say what was left out, and how much.
      const shown = omitted(result.stdout)
      if (shown) console.log(dim(shown))
    } else {
      if (result.stdout.trim()) console.log(result.stdout.replace(/\n$/, ''))
      if (result.stderr.trim()) console.log(dim(result.stderr.replace(/\n$/, '')))
      if (!result.stdout.trim() && !result.stderr.trim() && result.code === 0) console.log(dim('(no output)'))
    }

    if (result.code !== 0) console.log(dim(`(exit ${result.code})`))
  }

  const check = (line: string, code: number, expect: number) => {
    if (code !== expect) throw new Error(`demo step failed: "${line}" exited ${code}, expected ${expect}`)
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
      const run = spawnSync(process.execPath, [`${ROOT}bin/run.js`, ...args], {
        env,
        input: options.stdin ?? '',
        encoding: 'utf8',
      })
      const result = {stdout: run.stdout, stderr: run.stderr, code: run.status ?? 1}
      const line = `${options.shownStdin ? `${options.shownStdin} | ` : ''}secrets ${args.map(quote).join(' ')}`
      show(line, result, options.quiet)
      check(line, result.code, options.expect ?? 0)
      return result
    },
    shell(command, args, options = {}) {
      const run = spawnSync(command, args, {env, encoding: 'utf8'})
      const result = {stdout: run.stdout ?? '', stderr: run.stderr ?? '', code: run.status ?? 1}
      const line = `${command} ${args.map(quote).join(' ')}`
      show(line, result, options.quiet)
      check(line, result.code, options.expect ?? 0)
      return result
    },
  }
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
