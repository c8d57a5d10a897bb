import {judgeAccount} from '../core/account-guard.js'
import type {Scope} from '../core/address.js'
import {shownEndpoint} from '../core/endpoint.js'
import {ExitCode, type ExitCodeValue, SecretsError} from '../core/errors.js'
import {scopeArn} from '../core/iam-policy.js'
import type {CredentialProblem, CredentialSource, PermissionProbes} from '../core/readers.js'
import type {SecretStore} from '../stores/secret-store.js'

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

/**
 * Every environment of secrets.yml checked in turn (`check` builds each one's ports and runs
 * `runDoctor`; `onChecked` hears each report as it comes); the outcome is the first failing one's.
 */
export async function checkEnvironments(
  file: string,
  names: readonly string[],
  check: (environment: string) => Promise<DoctorReport>,
  onChecked: (environment: string, report: DoctorReport) => void = () => {},
): Promise<DoctorEnvironmentsReport> {
  const environments: DoctorEnvironmentsReport['environments'] = []
  for (const environment of names) {
    const report = await check(environment)
    onChecked(environment, report)
    environments.push({environment, ...report})
  }

  const failed = environments.find((report) => !report.ok)
  return {file, environments, ok: failed === undefined, exitCode: failed?.exitCode ?? ExitCode.ok}
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

/** Actions the CLI's writing commands need; doctor never calls them, so it explains them. */
const WRITE_ACTIONS: ReadonlyArray<[action: string, usedBy: string]> = [
  ['secretsmanager:CreateSecret', 'set, promote and migrate (new secrets)'],
  ['secretsmanager:PutSecretValue', 'set, promote and migrate (new versions)'],
  ['secretsmanager:TagResource', 'set --tag, promote and migrate (tags on new secrets)'],
  ['secretsmanager:DeleteSecret', 'delete'],
  ['secretsmanager:RestoreSecret', 'restore'],
]

/**
 * Checks, in order: where credentials come from and whether they resolve, region, endpoints, who
 * they are (STS GetCallerIdentity), whether Secrets Manager and SSM answer (one cheap read each), and
 * for a scope the read operations the CLI needs, tried on one secret. Doctor writes nothing: the
 * write operations are explained, not tried. Every call's failure becomes a check with a fix; nothing
 * is thrown for an AWS error.
 */
export async function runDoctor(input: DoctorInput): Promise<DoctorReport> {
  const env = input.env ?? process.env
  const {probes, store} = input
  const checks: Check[] = []
  const chain = input.credentialSource
  const role = input.flags.profile === undefined ? input.environment?.role : undefined
  const source: CredentialSource = role
    ? {kind: 'assume-role', description: `role ${role} (secrets.yml, ${input.environment?.name}), assumed with ${chain.description}`, profile: chain.profile}
    : chain
  const report: DoctorReport = {credentials: {...source}, endpoints: endpointsFor(env, input.flags.endpointUrl, undefined), checks, ok: true, exitCode: ExitCode.ok}
  if (input.scope) report.scope = input.scope.toString()

  if (source.profile && env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) {
    checks.push({
      id: 'credentials-conflict',
      status: 'warn',
      detail: `both ${input.flags.profile ? '--profile' : 'AWS_PROFILE'} and AWS_ACCESS_KEY_ID are set; the SDK uses the profile and ignores the keys`,
      fix: 'Unset one of them, so scripts and the AWS CLI agree on who you are.',
    })
  }

  // 1. Credentials: resolved locally first, so "none" is told apart from "denied" and "unreachable".
  let haveCredentials = false
  const resolved = await probes.credentials()
  if ('credentials' in resolved) {
    const {credentials} = resolved
    haveCredentials = true
    const id = credentials.accessKeyId
    // At most the last 4 characters of the key id, and only of a real-looking one (AKIA/ASIA + 16).
    if (id.length >= 16) report.credentials.accessKeyIdEndsWith = id.slice(-4)
    report.credentials.temporary = credentials.temporary
    if (credentials.expiration) report.credentials.expires = credentials.expiration.toISOString()
    const expired = credentials.expiration !== undefined && credentials.expiration.getTime() <= Date.now()
    checks.push(
      expired
        ? {id: 'credentials', status: 'fail', detail: `${source.description}: the credentials expired at ${credentials.expiration?.toISOString()}`, fix: refreshFix(source), exitCode: ExitCode.accessDenied}
        : {
            id: 'credentials',
            status: 'ok',
            detail: `${source.description}${report.credentials.temporary ? ', temporary' : ''}${report.credentials.accessKeyIdEndsWith ? `, key id ending ${report.credentials.accessKeyIdEndsWith}` : ''}${credentials.expiration ? `, expire ${credentials.expiration.toISOString()}` : ''}`,
          },
    )
  } else {
    checks.push({id: 'credentials', status: 'fail', detail: `${source.description}: ${resolved.problem}`, fix: credentialFix(source, resolved.problem), exitCode: ExitCode.accessDenied})
  }

  // 2. Region and endpoints ("Region is missing" is reported below).
  const region = await probes.region()

  if (region) {
    report.region = region
    const fromFile = input.flags.region === undefined && input.environment?.region !== undefined
    checks.push({id: 'region', status: 'ok', detail: `${region} (${fromFile ? `secrets.yml, ${input.environment?.name}` : regionSource(env, input.flags.region, source)})`})
  } else {
    checks.push({id: 'region', status: 'fail', detail: 'no region is configured', fix: 'Pass --region, set AWS_REGION, or set region in your profile (aws configure set region eu-west-1).', exitCode: ExitCode.usage})
  }

  report.endpoints = endpointsFor(env, input.flags.endpointUrl, region)
  const endpoints = new Set(Object.values(report.endpoints))
  checks.push({
    id: 'endpoint',
    status: 'info',
    detail: endpoints.size === 1 ? [...endpoints][0] : Object.entries(report.endpoints).map(([service, url]) => `${service} ${url}`).join(', '),
  })

  const blocked = !haveCredentials ? 'needs credentials (see above)' : region ? undefined : 'needs a region (see above)'
  const attempt = async (id: string, action: string, resource: string | undefined, call: () => Promise<string>, onFail?: (check: Check) => Check) => {
    if (blocked) {
      checks.push({id, status: 'skip', detail: blocked})
      return false
    }

    try {
      checks.push({id, status: 'ok', detail: await call()})
      return true
    } catch (error) {
      const check = failedCall(id, action, resource, error)
      checks.push(onFail ? onFail(check) : check)
      return false
    }
  }

  // 3. Who: the account and ARN the CLI acts as.
  await attempt('identity', 'sts:GetCallerIdentity', undefined, async () => {
    const identity = await probes.identity()
    report.account = identity.account
    report.arn = identity.arn
    return `account ${identity.account ?? '?'}, ${identity.arn ?? '?'}`
  })

  // 3b. The environment's account guard (src/core/account-guard.ts): writes there are refused unless these credentials match.
  const guard = judgeAccount(input.environment, report.account)
  if (guard.status === 'match') {
    checks.push({id: 'account', status: 'ok', detail: `${guard.expected}, as secrets.yml expects for ${input.environment?.name}`})
  } else if (guard.status === 'mismatch') {
    checks.push({
      id: 'account',
      status: 'fail',
      detail: `secrets.yml expects account ${guard.expected} for ${input.environment?.name}, but these credentials are account ${guard.actual}; set, promote, migrate, delete and restore refuse to write`,
      fix: `Use credentials for account ${guard.expected} (a profile: or role: in secrets.yml, or --profile), or correct account: in secrets.yml.`,
      exitCode: ExitCode.accessDenied,
    })
  }

  // 4. Do the services answer? One cheap read each.
  await attempt('secretsmanager', 'secretsmanager:ListSecrets', undefined, async () => {
    await probes.listSecrets()
    return 'answers (ListSecrets)'
  })
  await attempt(
    'ssm',
    'ssm:DescribeParameters',
    undefined,
    async () => {
      await probes.describeParameters()
      return 'answers (DescribeParameters)'
    },
    // SSM is only a migration source: being denied there is worth a warning, not a failure.
    (check) => (check.exitCode === ExitCode.accessDenied ? {...check, status: 'warn', detail: `${check.detail}; only "secrets migrate --from-ssm" needs SSM`, exitCode: undefined} : check),
  )

  if (input.scope) await checkScope(input.scope, {probes, store}, attempt, checks, report)

  const failure = checks.find((check) => check.status === 'fail')
  report.ok = failure === undefined
  report.exitCode = failure?.exitCode ?? ExitCode.ok
  return report
}

type Attempt = (id: string, action: string, resource: string | undefined, call: () => Promise<string>) => Promise<boolean>

/** Secrets counted on a scope: five full pages of ListSecrets, enough to find one and count what `list` shows. */
const COUNT_AT_MOST = 500

/** The reads the CLI needs on a scope, tried on its first secret; the writes explained. */
async function checkScope(
  scope: Scope,
  {probes, store}: {probes: PermissionProbes; store: SecretStore},
  attempt: Attempt,
  checks: Check[],
  report: DoctorReport,
): Promise<void> {
  const label = scope.toString()
  let first: string | undefined
  let count = 0
  const listed = await attempt(`${label}: ListSecrets`, 'secretsmanager:ListSecrets', `${scope.prefix}*`, async () => {
    let more = false
    for await (const entry of store.list(scope.prefix)) {
      if (!scope.contains(entry.name)) continue
      count += 1
      first ??= entry.name
      // Doctor stays cheap: it stops at the 500th, on the fifth page, and says "500+" (at least 500).
      if (count === COUNT_AT_MOST) {
        more = true
        break
      }
    }

    return `allowed: ${count}${more ? '+' : ''} secret${count === 1 ? '' : 's'} in ${label}`
  })

  // The value read is dropped by the probe: it is never kept, printed or compared.
  const reads: Array<[string, (name: string) => Promise<void>]> = [
    ['BatchGetSecretValue', (name) => probes.batchGetSecretValue(name)],
    ['GetSecretValue', (name) => probes.getSecretValue(name)],
    ['DescribeSecret', (name) => probes.describeSecret(name)],
  ]
  for (const [operation, read] of reads) {
    const id = `${label}: ${operation}`
    if (!listed || first === undefined) {
      checks.push({id, status: 'skip', detail: listed ? `no secret in ${label} to try it on` : 'needs ListSecrets (see above)'})
      continue
    }

    const name = first
    await attempt(id, `secretsmanager:${operation}`, name, async () => {
      await read(name)
      return `allowed on ${name}`
    })
  }

  const arn = scopeArn(scope, report.region, report.account)
  const anyDenied = checks.some((check) => check.id.startsWith(`${label}:`) && check.exitCode === ExitCode.accessDenied)
  for (const [action, usedBy] of WRITE_ACTIONS) {
    checks.push({
      id: `${label}: ${action.replace('secretsmanager:', '')}`,
      status: 'info',
      detail: `not tried (doctor never writes); needed by ${usedBy}${anyDenied ? '; reads are denied above, so writes are likely denied too' : ''}`,
      fix: `If a command fails with "Access denied: ${action} on ${scope.prefix}...", allow ${action} on ${arn}.`,
    })
  }
}

/** A failed call as a check: the translated error, why (from AWS's message), and the fix. */
function failedCall(id: string, action: string, resource: string | undefined, error: unknown): Check {
  // The ports reject with typed errors; anything else is a bug, reported as unexpected.
  const translated =
    error instanceof SecretsError
      ? error
      : new SecretsError(`Unexpected error from ${resource ? `${action} on ${resource}` : action}: ${(error as Error)?.name ?? 'Error'}.`, {code: 'UNEXPECTED', exitCode: ExitCode.unexpected, cause: error})
  if (translated.exitCode === ExitCode.accessDenied) {
    // Why AWS denied it, from its message: read once, in src/aws/errors.ts.
    const why = translated.aws?.deniedBecause
    const target = resource ? ` on ${resource}` : ''
    return {
      id,
      status: 'fail',
      detail: `denied: ${action}${target}${why ? ` (${why})` : ''}`,
      fix: deniedFix(action, resource, why),
      exitCode: ExitCode.accessDenied,
    }
  }

  const unreachable = translated.exitCode === ExitCode.unavailable
  return {
    id,
    status: 'fail',
    detail: unreachable ? `no answer: ${translated.message}` : translated.message,
    fix: translated.hint ?? 'Run the command again with DEBUG=* for details.',
    exitCode: translated.exitCode,
  }
}

function deniedFix(action: string, resource: string | undefined, why: string | undefined): string {
  if (why?.includes('service control')) return `An organization SCP denies ${action}: ask your AWS administrators, or use an account where it is allowed.`
  if (why?.includes('permissions boundary')) return `Your permissions boundary denies ${action}: ask for it to be widened.`
  if (why?.includes('resource-based')) return `The secret's resource policy denies ${action} to you: check it with aws secretsmanager get-resource-policy.`
  if (why?.startsWith('explicitly denied')) return `A policy of yours explicitly denies ${action}; an allow cannot override it: remove the deny or use another role.`
  if (why?.includes('not valid') || why?.includes('expired')) return 'Refresh the credentials (aws sso login, or new keys), and check --endpoint-url points where they belong.'
  return `Allow ${action}${resource ? ` on ${resource.endsWith('*') ? resource : `${resource}*`}` : ''} in a policy of your identity, or use another --profile.`
}

function credentialFix(source: CredentialSource, problem: CredentialProblem): string {
  if (problem === 'the profile does not exist') return 'List your profiles with "aws configure list-profiles" and pass one with --profile or AWS_PROFILE.'
  if (source.kind === 'sso' || problem.startsWith('the SSO')) return `Run "aws sso login${source.profile ? ` --profile ${source.profile}` : ''}".`
  return refreshFix(source)
}

function refreshFix(source: CredentialSource): string {
  if (source.kind === 'sso') return `Run "aws sso login${source.profile ? ` --profile ${source.profile}` : ''}".`
  if (source.kind === 'environment') return 'Export fresh AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary keys).'
  return 'Set AWS_PROFILE or pass --profile (see "aws configure list-profiles"), run "aws configure sso" or "aws configure", or export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.'
}

function regionSource(env: NodeJS.ProcessEnv, flag: string | undefined, source: CredentialSource): string {
  if (flag) return '--region'
  if (env.AWS_REGION) return 'AWS_REGION'
  if (env.AWS_DEFAULT_REGION) return 'AWS_DEFAULT_REGION'
  return source.profile ? `profile ${source.profile}` : 'shared config'
}

/** The endpoint each client sends to: --endpoint-url, AWS_ENDPOINT_URL_<SERVICE>, AWS_ENDPOINT_URL, or AWS's own. */
export function endpointsFor(env: NodeJS.ProcessEnv, flag: string | undefined, region: string | undefined): DoctorReport['endpoints'] {
  const ignore = env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS === 'true'
  const pick = (variable: string, host: string) => {
    // Shown without userinfo: `http://user:PW@host` carries a password.
    if (flag) return `${shownEndpoint(flag)} (--endpoint-url)`
    if (!ignore && env[variable]) return `${shownEndpoint(env[variable])} (${variable})`
    if (!ignore && env.AWS_ENDPOINT_URL) return `${shownEndpoint(env.AWS_ENDPOINT_URL)} (AWS_ENDPOINT_URL)`
    return `https://${host}.${region ?? '<region>'}.amazonaws.com (AWS)`
  }

  return {
    sts: pick('AWS_ENDPOINT_URL_STS', 'sts'),
    secretsmanager: pick('AWS_ENDPOINT_URL_SECRETS_MANAGER', 'secretsmanager'),
    ssm: pick('AWS_ENDPOINT_URL_SSM', 'ssm'),
  }
}
