/**
 * Which exit codes each command can return, and what each means there: the one table every
 * command's --help is written from (`exitCodesHelp`), and that test/docs/help-exit-codes.test.ts
 * checks each command's help against. README.md's "Exit codes" table is the same codes in prose.
 */
import {ExitCode, type ExitCodeValue} from './errors.js'

/** What a code means when a command gives it no meaning of its own. */
const MEANING: Record<ExitCodeValue, string> = {
  [ExitCode.ok]: 'ok',
  [ExitCode.unexpected]: 'unexpected',
  [ExitCode.usage]: 'usage or invalid input',
  [ExitCode.notFound]: 'not found',
  [ExitCode.conflict]: 'conflict',
  [ExitCode.accessDenied]: 'access denied or no credentials',
  [ExitCode.unavailable]: 'AWS unreachable or throttled',
  [ExitCode.findings]: 'findings at or above --fail-on',
  [ExitCode.different]: 'the scopes differ',
  [ExitCode.output]: 'output could not be written',
  [ExitCode.interrupted]: 'interrupted (SIGINT)',
  [ExitCode.terminated]: 'stopped by SIGTERM',
}

/** Codes with their meaning (`true`: the common meaning above). */
type Codes = Partial<Record<ExitCodeValue, string | true>>

/** Every command that calls AWS can end with these. */
const AWS_COMMAND: Codes = {0: true, 1: true, 2: true, 5: true, 6: true, 74: true, 130: true, 143: true}
/** A command that calls no AWS API (scan reads files only). */
const OFFLINE_COMMAND: Codes = {0: true, 1: true, 2: true, 74: true, 130: true, 143: true}
/** A command that works on one secret named on its command line. */
const ONE_SECRET: Codes = {3: 'the secret does not exist'}
/** A command that reads a secret's value, which a secret scheduled for deletion no longer gives. */
const READS_VALUE: Codes = {4: 'scheduled for deletion'}
/** A command that asks before it writes: the answer no ends it as SIGINT does. */
const CONFIRMS: Codes = {130: 'interrupted (SIGINT) or the confirmation answered no'}

/**
 * Per command: the code sets it can end with, and last what its codes mean there; a later set's
 * meaning of a code replaces an earlier one's.
 */
export const COMMAND_EXIT_CODES: Readonly<Record<string, readonly Codes[]>> = {
  audit: [AWS_COMMAND, {5: 'access denied (to every API of the audit) or no credentials', 7: true}],
  delete: [AWS_COMMAND, CONFIRMS, {3: 'the secret does not exist (with --force too)', 4: 'already scheduled for deletion'}],
  diff: [AWS_COMMAND, {3: 'a scope holds no secrets (unless --allow-empty)', 8: true}],
  doctor: [AWS_COMMAND, {2: "usage, invalid input or no region (the first failing check's code)"}],
  fields: [AWS_COMMAND, ONE_SECRET, READS_VALUE, {2: 'usage, or the value is not a JSON object'}],
  get: [AWS_COMMAND, READS_VALUE, {2: 'usage, or --field on a value that is not a JSON object', 3: 'the secret, version or field does not exist'}],
  grant: [AWS_COMMAND, {3: 'a secret to check or look up does not exist'}],
  history: [AWS_COMMAND, ONE_SECRET],
  list: [AWS_COMMAND],
  migrate: [
    AWS_COMMAND,
    {
      2: 'usage, or collisions, unmapped or invalid items (after the valid ones were written)',
      3: 'no parameters under the path, or an --only name that is nowhere',
      4: 'a conflict, a target scheduled for deletion, or a source that changed during the run',
      130: 'interrupted (SIGINT) or the question before writing answered no',
    },
  ],
  promote: [AWS_COMMAND, CONFIRMS, {3: 'a --secret missing from the source', 4: 'a conflict or a target scheduled for deletion'}],
  restore: [AWS_COMMAND, ONE_SECRET, {4: 'not scheduled for deletion'}],
  rollback: [AWS_COMMAND, ONE_SECRET, CONFIRMS, {3: 'the secret, its previous version or the --to-version does not exist', 4: 'written after it was read (that write is kept), already current, or scheduled for deletion'}],
  scan: [
    OFFLINE_COMMAND,
    {0: 'no finding at or above --fail-on', 2: 'usage, or a template that could not be parsed (the rest is still scanned)', 7: 'findings at or above --fail-on (the report is printed first)'},
  ],
  set: [AWS_COMMAND, CONFIRMS, {4: 'exists (--no-overwrite), scheduled for deletion, or a field write lost its compare-and-swap 40 times'}],
}

/** The codes `command` can return, in order, with their meanings there. */
export function exitCodesOf(command: string): Array<{code: ExitCodeValue; meaning: string}> {
  const sets = COMMAND_EXIT_CODES[command]
  if (sets === undefined) throw new Error(`No exit codes are listed for "${command}" in src/core/exit-codes.ts.`)
  const codes: Codes = Object.assign({}, ...sets)
  return (Object.entries(codes) as Array<[string, string | true]>)
    .map(([code, meaning]) => ({code: Number(code) as ExitCodeValue, meaning: meaning === true ? MEANING[Number(code) as ExitCodeValue] : meaning}))
    .sort((a, b) => a.code - b.code)
}

/** The line that ends a command's --help: `Exit codes: 0 ok, 1 unexpected, ...`, from the table above. */
export function exitCodesHelp(command: string): string {
  return `Exit codes: ${exitCodesOf(command)
    .map(({code, meaning}) => `${code} ${meaning}`)
    .join(', ')}.`
}
