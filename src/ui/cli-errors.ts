/** What the CLI framework and Node throw, as the typed errors of src/core/errors.ts: the base command's catch() reads these. */
import {Errors} from '@oclif/core'

import {ExitCode, SecretsError, UsageError} from '../core/errors.js'
import {shownValue} from '../core/printable.js'
import {closestCommand} from './not-found.js'

export {shownValue} from '../core/printable.js'

/** A failed write to stdout (a plain Node error: AWS's own network errors arrive translated). */
export function isStdoutWriteError(error: unknown): boolean {
  const err = error as NodeJS.ErrnoException
  return !(error instanceof SecretsError) && err?.syscall === 'write' && typeof err.code === 'string'
}

/**
 * Maps anything thrown to a typed error, without ever repeating argv (which may hold a value).
 * `flagNames` are the command's flags (without `--`), for the closest one to a mistyped flag.
 */
export function toSecretsError(error: unknown, flagNames: readonly string[] = []): SecretsError {
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

    if (/^Nonexistent flags?:/.test(err.message)) return unknownFlags((err as {flags?: unknown}).flags, flagNames)

    return new UsageError(parseReason(err.message), 'See --help for usage.')
  }

  return new SecretsError(`Unexpected error: ${err?.name ?? 'Error'}${err?.message ? `: ${err.message}` : ''}`, {
    code: 'UNEXPECTED',
    exitCode: ExitCode.unexpected,
    cause: error,
  })
}

/** A token that reads as a flag's name: two dashes, then letters and dashes, no `=` and no digits. */
const FLAG_NAME = /^--[a-z][a-z-]{0,39}$/

/**
 * An unknown flag is whatever began with `-`, so a value such as `-Kx9...` typed as an argument lands
 * here too: a token shaped like a flag name is named (with the closest flag of the command, as a
 * mistyped command gets), anything else stays out of the message.
 */
export function unknownFlags(tokens: unknown, flagNames: readonly string[]): UsageError {
  const given = Array.isArray(tokens) ? tokens.filter((token): token is string => typeof token === 'string') : []
  const named = given.filter((token) => FLAG_NAME.test(token))
  const hidden = given.length - named.length
  const valueHint = 'Secret values are never taken from the command line: pipe them on stdin, use --from-file, or type them at the prompt.'
  if (named.length === 0) {
    return new UsageError('Unknown flag (not shown, in case it is a secret value that begins with "-").', `See --help for the flags this command takes. ${valueHint}`)
  }

  const suggestions = named.flatMap((token) => {
    const closest = closestCommand(token.slice(2), flagNames)
    return closest ? [`--${closest}`] : []
  })
  const also = hidden > 0 ? `, and ${hidden} more not shown (in case it is a secret value that begins with "-")` : ''
  return new UsageError(
    `Unknown flag${named.length === 1 ? '' : 's'} ${named.join(', ')}${also}.`,
    `${suggestions.length > 0 ? `Did you mean ${[...new Set(suggestions)].join(', ')}? ` : ''}See --help for the flags this command takes.${hidden > 0 ? ` ${valueHint}` : ''}`,
  )
}

/** ANSI colour, which oclif puts around some of its reasons. */
// eslint-disable-next-line no-control-regex
const ANSI = /\u001B\[[\d;]*m/g

/**
 * oclif's parse error, whole: every reason it gives (the range of an integer flag, the flags that
 * exclude each other, the options of an options flag, the missing argument and what it is), with
 * the values given to flags dropped or shown only by `shownValue`. Unknown flags and unexpected
 * arguments never get here (toSecretsError masks them whole).
 */
export function parseReason(raw: string): string {
  const lines = raw
    .replaceAll(ANSI, '')
    .replace(/^Error: /, '')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !/^See more help with --help$/.test(line))
  const [first = 'Invalid command line', ...rest] = lines
  // "--from-ssm=/x cannot also be provided when using --from-dotenv": the flags are the reason, not the value.
  const dropValues = (line: string) => line.replaceAll(/(--?[\w-]+)=\S+/g, '$1')
  if (/^The following errors? occurred:$/.test(first)) return rest.length === 0 ? 'Invalid flags.' : [...new Set(rest.map((line) => exclusive(dropValues(line))))].join('; ')
  const option = /^Expected --([\w-]+)=(.*) to be one of: (.*)$/.exec(first)
  if (option) return `--${option[1]} must be one of: ${option[3]} (given: ${shownValue(option[2])}).`
  const parsing = /^Parsing --([\w-]+)\s*$/.exec(first)
  if (parsing) {
    const detail = (rest.find(Boolean) ?? 'invalid value').replace(/\s*but received:?\s*(.*)$/i, (_, given: string) => ` (given: ${shownValue(given)})`)
    return `--${parsing[1]}: ${detail}`
  }
  // "Missing 1 required arg:" then "scope  the environment and service": names and descriptions, no value.
  if (/^Missing \d+ required args?:?$/.test(first) && rest.length > 0) {
    const wanted = rest.filter((line) => !/^Note:|^Alternatively,/.test(line)).map((line) => line.replace(/\s{2,}/, ': '))
    return `${first.replace(/:$/, '').replace(/\barg(s?)$/, 'argument$1')}: ${wanted.join('; ')}.`
  }

  return dropValues(first).replace(/(received:?)\s.*$/i, '$1 (not shown)')
}

/** oclif names each side of an exclusive pair ("--a cannot also be provided when using --b", and back): one sentence per pair. */
function exclusive(line: string): string {
  const pair = /^(--[\w-]+) cannot also be provided when using (--[\w-]+)$/.exec(line)
  return pair ? `${[pair[1], pair[2]].sort().join(' and ')} cannot be used together.` : line
}
