/** What the CLI framework and Node throw, as the typed errors of src/core/errors.ts: the base command's catch() reads these. */
import {Errors} from '@oclif/core'

import {ExitCode, SecretsError, UsageError} from '../core/errors.js'

/** A failed write to stdout (a plain Node error: AWS's own network errors arrive translated). */
export function isStdoutWriteError(error: unknown): boolean {
  const err = error as NodeJS.ErrnoException
  return !(error instanceof SecretsError) && err?.syscall === 'write' && typeof err.code === 'string'
}

/** Maps anything thrown to a typed error, without ever repeating argv (which may hold a value). */
export function toSecretsError(error: unknown): SecretsError {
  if (error instanceof SecretsError) return error
  const err = error as Error & {oclif?: {exit?: number}; name?: string}
  if (err instanceof Errors.CLIError || err?.oclif?.exit === 2) {
    // oclif's parse errors quote the offending arguments; an unexpected argument may be a secret value.
    if (/^Unexpected arguments?:/.test(err.message)) {
      return new UsageError(
        'Unexpected extra argument (not shown, in case it is a secret value).',
        'Secret values are never taken from the command line: pipe them on stdin, use --from-file, or type them at the prompt.',
      )
    }

    // An unknown flag is whatever began with `-`: a value such as `-Kx9...` typed as an argument lands here.
    if (/^Nonexistent flags?:/.test(err.message)) {
      return new UsageError(
        'Unknown flag (not shown, in case it is a secret value that begins with "-").',
        'See --help for the flags this command takes. Secret values are never taken from the command line: pipe them on stdin, use --from-file, or type them at the prompt.',
      )
    }

    // Other parse errors quote flags as typed; `--value=...` would carry a value, so only names stay,
    // and a flag's own parser ("Expected an integer but received: X") is quoted without X.
    const [first, ...rest] = err.message.replace(/^Error: /, '').split('\n')
    const detail = /^Parsing --[\w-]+\s*$/.test(first) ? rest.map((line) => line.trim()).find(Boolean) : undefined
    const message = (detail ? `${first.trim()}: ${detail}` : first)
      .replaceAll(/(--?[\w-]+)=\S+/g, '$1=(not shown)')
      .replace(/(received:?)\s.*$/i, '$1 (not shown)')
    return new UsageError(message, 'See --help for usage.')
  }

  return new SecretsError(`Unexpected error: ${err?.name ?? 'Error'}${err?.message ? `: ${err.message}` : ''}`, {
    code: 'UNEXPECTED',
    exitCode: ExitCode.unexpected,
    cause: error,
  })
}
