import {SecretAddress} from './address.js'

export {refuseOutsideScheme} from './address.js'
import {UsageError} from './errors.js'
import {printable} from './printable.js'

/**
 * A secret a read command is pointed at: one of ours (`/<env>/<service>/<name>`), or one outside the
 * naming scheme given by its full ARN or, with `--id`, its exact name (RDS's `rds!cluster-<uuid>`,
 * which cannot be renamed). Reads accept both; writes take addresses only (see refuseOutsideScheme).
 */
export type SecretRef =
  | {kind: 'address'; address: SecretAddress; id: string; env: string}
  | {kind: 'external'; id: string; env?: undefined; region?: string; arn?: ParsedSecretArn}

export interface ParsedSecretArn {
  arn: string
  partition: string
  region: string
  account: string
  /** The secret's name with AWS's `-` and six random characters, as in the ARN. */
  resource: string
}

/** A full secret ARN: arn:<partition>:secretsmanager:<region>:<account>:secret:<name>-<6 characters>. */
const SECRET_ARN = /^arn:(aws[a-z-]*):secretsmanager:([a-z]{2}(?:-[a-z]+)+-\d{1,2}):(\d{12}):secret:([A-Za-z0-9/_+=.@!-]{1,512}-[A-Za-z0-9]{6})$/
/** What Secrets Manager allows in a name. */
const SECRET_NAME = /^[A-Za-z0-9/_+=.@!-]{1,512}$/

/** Parses a full secret ARN; exit 2 saying what is expected (a partial ARN, without the suffix, is ambiguous). */
export function parseSecretArn(text: string): ParsedSecretArn {
  const match = SECRET_ARN.exec(text)
  if (!match) {
    throw new UsageError(
      `Invalid secret ARN "${printable(text)}": expected the full ARN, arn:aws:secretsmanager:<region>:<account>:secret:<name>-<6 characters>.`,
      'Copy it from "aws secretsmanager describe-secret --secret-id NAME --query ARN", or give the exact name with --id NAME.',
    )
  }

  return {arn: text, partition: match[1], region: match[2], account: match[3], resource: match[4]}
}

/** True when what was typed is an ARN rather than ENV/SERVICE. */
export function looksLikeArn(text: string | undefined): boolean {
  return text !== undefined && text.startsWith('arn:')
}

/** What a read command was given: an ARN alone, `--id NAME` alone, or an address. */
export function parseSecretRef(scope: string | undefined, name: string | undefined, id: string | undefined): SecretRef {
  if (id !== undefined) {
    if (scope !== undefined || name !== undefined) throw new UsageError('Give either --id NAME or ENV/SERVICE NAME (or an ARN), not both.')
    if (!SECRET_NAME.test(id)) throw new UsageError(`Invalid --id "${printable(id)}": a secret name has 1 to 512 letters, digits and /_+=.@!- characters.`)
    return {kind: 'external', id}
  }

  if (looksLikeArn(scope)) {
    if (name !== undefined) throw new UsageError('An ARN names the secret by itself: give it without a NAME.')
    const arn = parseSecretArn(scope as string)
    return {kind: 'external', id: arn.arn, region: arn.region, arn}
  }

  if (scope === undefined) throw new UsageError('Missing the secret: give ENV/SERVICE NAME, the full name /ENV/SERVICE/NAME, a secret ARN, or --id NAME.')
  const address = SecretAddress.fromArgs(scope, name)
  return {kind: 'address', address, id: address.fullName, env: address.env}
}

/** The flags to build a store with: an ARN's own region unless --region says otherwise (a secret is read in its region). */
export function flagsForRef<F extends {region?: string}>(flags: F, ref: SecretRef): F {
  return ref.kind === 'external' && ref.region !== undefined && flags.region === undefined ? {...flags, region: ref.region} : flags
}
