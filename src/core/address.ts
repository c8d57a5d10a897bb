import {UsageError} from './errors.js'
import {printable} from './printable.js'

/** Characters Secrets Manager allows in a name, less `/`, which separates the parts of an address. */
const PART_PATTERN = /^[A-Za-z0-9_+=.@-]+$/
/** Secrets Manager's limit on a secret name. */
export const MAX_SECRET_NAME_LENGTH = 256
/**
 * Secrets Manager appends `-` and six random characters to a secret's ARN. A name that already ends
 * that way makes a partial ARN ambiguous, so AWS advises against it and we refuse it.
 */
const ARN_SUFFIX_LOOKALIKE = /-[^-/]{6}$/

export type AddressPart = 'environment' | 'service' | 'name'

/** Checks one part of an address; returns why it is wrong, or undefined when it is fine. */
export function partProblem(part: AddressPart, value: string): string | undefined {
  if (value.length === 0) return `the ${part} is empty`
  // `.` and `..` read as path traversal to people and to tools that treat names as paths.
  if (/^\.+$/.test(value)) return `the ${part} "${value}" is only dots, which reads as a relative path`
  if (!PART_PATTERN.test(value)) {
    const bad = [...value].find((ch) => !PART_PATTERN.test(ch)) ?? ''
    return `the ${part} "${printable(value)}" contains ${describeChar(bad)}; use only letters, digits and _+=.@-`
  }

  return undefined
}

function describeChar(ch: string): string {
  if (ch === '/') return 'a "/" (it separates environment, service and name)'
  if (ch === ' ') return 'a space'
  if (/^[\x21-\x7E]$/.test(ch)) return `"${ch}"`
  return `the character U+${(ch.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`
}

function assertPart(part: AddressPart, value: string): void {
  const problem = partProblem(part, value)
  if (problem) throw new UsageError(`Invalid secret address: ${problem}.`)
}

/** An environment and a service, written `ENV/SERVICE`: the namespace `/<env>/<service>/`. */
export class Scope {
  private constructor(
    readonly env: string,
    readonly service: string,
  ) {}

  /** Parses `ENV/SERVICE` (a leading `/` and a trailing `/` are tolerated). */
  static parse(text: string): Scope {
    const parts = trimSlashes(text).split('/')
    if (parts.length !== 2) {
      throw new UsageError(
        `Invalid scope "${printable(text)}": expected ENV/SERVICE, for example prod/api.`,
      )
    }

    return Scope.of(parts[0], parts[1])
  }

  static of(env: string, service: string): Scope {
    assertPart('environment', env)
    assertPart('service', service)
    assertRoomForName(`/${env}/${service}/`)
    return new Scope(env, service)
  }

  /** The exact name prefix of this scope's secrets, with the trailing slash that keeps `api2` out. */
  get prefix(): string {
    return `/${this.env}/${this.service}/`
  }

  secret(name: string): SecretAddress {
    return SecretAddress.of(this.env, this.service, name)
  }

  /** True when `fullName` is a secret directly in this scope (not in a deeper path). */
  contains(fullName: string): boolean {
    return fullName.startsWith(this.prefix) && !fullName.slice(this.prefix.length).includes('/')
  }

  toString(): string {
    return `${this.env}/${this.service}`
  }
}

/** The address of one secret: `/<env>/<service>/<name>` in Secrets Manager. */
export class SecretAddress {
  private constructor(
    readonly env: string,
    readonly service: string,
    readonly name: string,
  ) {}

  static of(env: string, service: string, name: string): SecretAddress {
    assertPart('environment', env)
    assertPart('service', service)
    assertPart('name', name)
    const full = `/${env}/${service}/${name}`
    if (full.length > MAX_SECRET_NAME_LENGTH) {
      throw new UsageError(
        `Invalid secret address: "${printable(full)}" is ${full.length} characters; Secrets Manager allows at most ${MAX_SECRET_NAME_LENGTH}.`,
      )
    }

    if (ARN_SUFFIX_LOOKALIKE.test(name)) {
      throw new UsageError(
        `Invalid secret address: the name "${printable(name)}" ends in a hyphen and six characters, which cannot be told apart from the random suffix of a secret's ARN.`,
        'Rename it, for example with an underscore instead of the hyphen.',
      )
    }

    return new SecretAddress(env, service, name)
  }

  /** Parses a full name `/<env>/<service>/<name>`. */
  static parseFullName(text: string): SecretAddress {
    if (!text.startsWith('/')) {
      throw new UsageError(`Invalid secret name "${printable(text)}": a full name starts with "/", as in /prod/api/DB_PASS.`)
    }

    const parts = text.slice(1).split('/')
    if (parts.length !== 3) {
      throw new UsageError(
        `Invalid secret name "${printable(text)}": expected /<env>/<service>/<name> (three parts), found ${parts.length}.`,
      )
    }

    return SecretAddress.of(parts[0], parts[1], parts[2])
  }

  /**
   * Parses what a user typed: either `ENV/SERVICE NAME` or the full name `/ENV/SERVICE/NAME` alone.
   */
  static fromArgs(scopeOrFullName: string, name?: string): SecretAddress {
    refuseOutsideScheme(scopeOrFullName)
    if (name === undefined) {
      const trimmed = trimSlashes(scopeOrFullName)
      const parts = trimmed.split('/').length
      if (parts === 3) return SecretAddress.parseFullName(`/${trimmed}`)
      // Say what is missing: "prod" alone lacks the service as well as the name.
      const problem = parts === 1 ? 'Missing the service and the secret name (only an environment was given)' : parts === 2 ? 'Missing the secret name' : `A full name has three parts, not ${parts}`
      throw new UsageError(`${problem}: give ENV/SERVICE NAME (for example prod/api DB_PASS) or the full name /prod/api/DB_PASS.`)
    }

    return Scope.parse(scopeOrFullName).secret(name)
  }

  get scope(): Scope {
    return Scope.of(this.env, this.service)
  }

  get fullName(): string {
    return `/${this.env}/${this.service}/${this.name}`
  }

  toString(): string {
    return this.fullName
  }
}

/**
 * Only reads (get, history, fields, grant) take a secret outside `/<env>/<service>/<name>`, by its full
 * ARN or with `--id NAME`: such a secret (RDS's `rds!cluster-<uuid>`) usually belongs to the service that
 * created it and rotates it, and a write here would race that rotation or break its format.
 */
export function refuseOutsideScheme(scope: string): void {
  if (scope.startsWith('arn:') || scope.includes('!')) {
    throw new UsageError(
      `"${printable(scope)}" is outside the /<env>/<service>/<name> scheme (a secret another service, such as RDS, may own and rotate): only get, history, fields and grant read it, by its full ARN or with --id NAME; nothing is written to it.`,
      'Change it through the service that owns it (for RDS: its rotation, or aws rds modify-db-cluster --master-user-password).',
    )
  }
}

/**
 * What `list` can be asked for: everything, one environment, or one environment's service.
 * Returns the exact name prefix to filter on.
 */
export function listingPrefix(text: string | undefined): string {
  if (text === undefined || trimSlashes(text) === '') return '/'
  const parts = trimSlashes(text).split('/')
  if (parts.length === 1) {
    assertPart('environment', parts[0])
    assertRoomForName(`/${parts[0]}/`)
    return `/${parts[0]}/`
  }

  return Scope.parse(text).prefix
}

/**
 * A prefix that leaves no room for a name under Secrets Manager's limit holds no secret; refused here,
 * it never reaches ListSecrets as a name filter longer than AWS takes (512).
 */
function assertRoomForName(prefix: string): void {
  if (prefix.length < MAX_SECRET_NAME_LENGTH) return
  throw new UsageError(
    `Invalid secret address: "${printable(prefix)}" is ${prefix.length} characters, which leaves no room for a name; Secrets Manager allows at most ${MAX_SECRET_NAME_LENGTH} for the whole name.`,
  )
}

function trimSlashes(text: string): string {
  return text.replace(/^\//, '').replace(/\/$/, '')
}
