/** What `secrets doctor` is given and what it reports. */
import type {Scope} from '../../core/address.js'
import type {ExitCodeValue} from '../../core/errors.js'
import type {CredentialSource, PermissionProbes} from '../../core/readers.js'
import type {SecretStore} from '../../stores/secret-store.js'

/**
 * `ok` passed; `fail` is a problem (the exit code is the first failure's); `warn` is worth knowing
 * but does not fail the run; `skip` could not be checked (an earlier check failed, or nothing to try);
 * `info` describes the setup.
 */
export type CheckStatus = 'ok' | 'fail' | 'warn' | 'skip' | 'info'

export interface Check {
  id: string
  status: CheckStatus
  /** What was found. Names, ARNs and sources; never a credential nor a secret value. */
  detail: string
  /** The next step, for fail and warn. */
  fix?: string
  /** The exit code this failure stands for. */
  exitCode?: ExitCodeValue
}

export interface DoctorReport {
  credentials: CredentialSource & {temporary?: boolean; accessKeyIdEndsWith?: string; expires?: string}
  account?: string
  arn?: string
  region?: string
  endpoints: Record<'sts' | 'secretsmanager' | 'ssm', string>
  scope?: string
  checks: Check[]
  ok: boolean
  exitCode: ExitCodeValue
}

/** Without ENV/SERVICE and with environments in secrets.yml: one report per environment. */
export interface DoctorEnvironmentsReport {
  file: string
  environments: Array<{environment: string} & DoctorReport>
  ok: boolean
  /** The first failing environment's exit code, or 0. */
  exitCode: ExitCodeValue
}

export interface DoctorInput {
  /** One cheap call per permission (src/aws/readers/probes.ts, or a fake). */
  probes: PermissionProbes
  /** The store whose listing of the scope is checked. */
  store: SecretStore
  /** Where the SDK's chain takes credentials from (src/aws/credential-source.ts reads it from env and ~/.aws). */
  credentialSource: CredentialSource
  /** Flags as given (unset ones fall back to the environment and the shared config). */
  flags: {profile?: string; region?: string; endpointUrl?: string}
  scope?: Scope
  env?: NodeJS.ProcessEnv
  /** The environment's entry in secrets.yml that placed this run (its role, region and account guard). */
  environment?: {name: string; role?: string; region?: string; account?: string}
}
