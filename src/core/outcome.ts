import {ExitCode, type ExitCodeValue} from './errors.js'

/**
 * How every command ends: its `run()` returns one of these and the base command does the rest, once.
 * Under --json, `json` is the document on stdout and nothing else is printed; otherwise `stdout` is
 * written as it is, then `notice` and the hint on stderr. Then the exit code is set from `exitCode`.
 * The exit code is decided by a service or the core (a report's `exitCode`, `diffVerdict`, ...);
 * a command passes it on and never computes one. Errors are the other way out: thrown, they reach
 * the base command's `catch()`, which prints them instead of a result.
 */
export interface CommandResult<T> {
  /** The --json document. */
  readonly json: T
  /** What stdout shows without --json, exactly: text ends with its own newline, a value is its own bytes. */
  readonly stdout?: string | Uint8Array
  /** Add a newline after `stdout` when stdout is a terminal (get: a value is printed byte for byte otherwise). */
  readonly newlineOnTerminal?: boolean
  /** Without --json, one line on stderr after stdout: why the exit code is what it is, or that there was nothing. */
  readonly notice?: string
  /** Without --json, the next step, printed once on stderr last: "Hint: ..." when the exit code is not 0, else "Note: ...". */
  readonly hint?: string
  readonly exitCode: ExitCodeValue
}

/** The result of a command that ended as asked (exit 0). */
export function succeeded<T>(json: T, output: Omit<CommandResult<T>, 'exitCode' | 'json'> = {}): CommandResult<T> {
  return {json, ...output, exitCode: ExitCode.ok}
}

/** Lines as `this.log` would print them, each with its newline; nothing at all for no lines. */
export function lines(...text: string[]): string | undefined {
  return text.length === 0 ? undefined : `${text.join('\n')}\n`
}
