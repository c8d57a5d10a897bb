import {escapeUnsafe} from './printable.js'

/**
 * Exit codes are part of the public interface: pipelines branch on them, so they never change meaning.
 * README.md documents the same table.
 */
export const ExitCode = {
  ok: 0,
  unexpected: 1,
  usage: 2,
  notFound: 3,
  conflict: 4,
  accessDenied: 5,
  unavailable: 6,
  findings: 7,
  different: 8,
  /** The output could not be written (stdout on a full disk, a closed descriptor); sysexits' EX_IOERR. */
  output: 74,
  interrupted: 130,
  /** Stopped by SIGTERM: 128 + 15, what a shell reports for a process the signal killed. */
  terminated: 143,
} as const

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode]

/** What an AWS error said, kept on the typed error it was translated to. Never a value. */
export interface AwsErrorDetail {
  /** The SDK error's name, e.g. `AccessDeniedException` or `CredentialsProviderError`. */
  name?: string
  /** For a denial: why, from AWS's message (`no identity-based policy allows it`, `explicitly denied by ...`). */
  deniedBecause?: string
}

/**
 * Base of every error the tool expects. The message names secrets, never values; `hint` is the
 * next step shown to the user.
 */
export class SecretsError extends Error {
  readonly exitCode: ExitCodeValue
  readonly hint?: string
  /** Stable machine-readable identifier, used in `--json` error documents. */
  readonly code: string
  /**
   * Set on an error translated from an AWS SDK error (src/aws/errors.ts): the SDK error's name and,
   * for a denial, why AWS says it denied. Callers that judge a failure (audit's coverage gaps,
   * doctor's checks) read these instead of parsing AWS's text again.
   */
  aws?: AwsErrorDetail

  constructor(message: string, options: {code: string; exitCode: ExitCodeValue; hint?: string; cause?: unknown}) {
    // Messages quote names from users, files and AWS: none may carry a raw terminal control.
    super(escapeUnsafe(message), options.cause === undefined ? undefined : {cause: options.cause})
    this.name = new.target.name
    this.code = options.code
    this.exitCode = options.exitCode
    this.hint = options.hint === undefined ? undefined : escapeUnsafe(options.hint)
  }
}

/**
 * Invalid input or a missing flag: exit 2, raised before any AWS call. (migrate's report also ends
 * with exit 2 for unmapped or invalid items, after writing the valid ones: that is its report's code,
 * not this error.)
 */
export class UsageError extends SecretsError {
  constructor(message: string, hint?: string) {
    super(message, {code: 'USAGE', exitCode: ExitCode.usage, hint})
  }
}

export class NotFoundError extends SecretsError {
  constructor(message: string, hint?: string) {
    super(message, {code: 'NOT_FOUND', exitCode: ExitCode.notFound, hint})
  }
}

export class ConflictError extends SecretsError {
  constructor(message: string, hint?: string) {
    super(message, {code: 'CONFLICT', exitCode: ExitCode.conflict, hint})
  }
}

export class AccessDeniedError extends SecretsError {
  constructor(message: string, hint?: string) {
    super(message, {code: 'ACCESS_DENIED', exitCode: ExitCode.accessDenied, hint})
  }
}

/** AWS could not be reached, timed out or kept throttling after the SDK's retries. */
export class UnavailableError extends SecretsError {
  constructor(message: string, hint?: string) {
    super(message, {code: 'UNAVAILABLE', exitCode: ExitCode.unavailable, hint})
  }
}

export class InterruptedError extends SecretsError {
  constructor(message = 'Interrupted.', hint?: string) {
    super(message, {code: 'INTERRUPTED', exitCode: ExitCode.interrupted, hint})
  }
}

/** stdout could not be written (a full disk, an I/O error); a closed pipe (EPIPE) is not one of these. */
export class OutputError extends SecretsError {
  constructor(message: string, hint?: string) {
    super(message, {code: 'OUTPUT', exitCode: ExitCode.output, hint})
  }
}
