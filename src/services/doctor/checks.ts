/**
 * The checks of `secrets doctor`, one function per step of runDoctor (src/services/doctor.ts), and the
 * fixes each failure suggests. Every AWS call goes through the ports; a failure becomes a check.
 */
import {judgeAccount} from '../../core/account-guard.js'
import type {Scope} from '../../core/address.js'
import {endpointSetting, shownEndpoint} from '../../core/endpoint.js'
import {ExitCode, SecretsError} from '../../core/errors.js'
import {scopeArn} from '../../core/iam-policy.js'
import type {CredentialProblem, CredentialSource, PermissionProbes} from '../../core/readers.js'
import type {SecretStore} from '../../stores/secret-store.js'
import type {Check, DoctorInput, DoctorReport} from './types.js'

/** Actions the CLI's writing commands need; doctor never calls them, so it explains them. */
const WRITE_ACTIONS: ReadonlyArray<[action: string, usedBy: string]> = [
  ['secretsmanager:CreateSecret', 'set, promote and migrate (new secrets)'],
  ['secretsmanager:PutSecretValue', 'set, promote and migrate (new versions)'],
  ['secretsmanager:TagResource', 'set --tag, promote and migrate (tags on new secrets)'],
  ['secretsmanager:DeleteSecret', 'delete'],
  ['secretsmanager:RestoreSecret', 'restore'],
]

/** Where credentials come from: the environment's role of secrets.yml (unless --profile), assumed with the SDK's chain, or the chain itself. */
export function credentialSourceOf(input: DoctorInput): CredentialSource {
  const chain = input.credentialSource
  const role = input.flags.profile === undefined ? input.environment?.role : undefined
  return role
    ? {kind: 'assume-role', description: `role ${role} (secrets.yml, ${input.environment?.name}), assumed with ${chain.description}`, profile: chain.profile}
    : chain
}

export function credentialConflicts(source: CredentialSource, profileFlag: string | undefined, env: NodeJS.ProcessEnv): Check[] {
  if (!(source.profile && env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY)) return []
  return [
    {
      id: 'credentials-conflict',
      status: 'warn',
      detail: `both ${profileFlag ? '--profile' : 'AWS_PROFILE'} and AWS_ACCESS_KEY_ID are set; the SDK uses the profile and ignores the keys`,
      fix: 'Unset one of them, so scripts and the AWS CLI agree on who you are.',
    },
  ]
}

/** Resolves the credentials locally and records what they are (never the secret key); true when they resolved. */
export async function checkCredentials(probes: PermissionProbes, source: CredentialSource, report: DoctorReport): Promise<boolean> {
  const resolved = await probes.credentials()
  if (!('credentials' in resolved)) {
    report.checks.push({id: 'credentials', status: 'fail', detail: `${source.description}: ${resolved.problem}`, fix: credentialFix(source, resolved.problem), exitCode: ExitCode.accessDenied})
    return false
  }

  const {credentials} = resolved
  const id = credentials.accessKeyId
  // At most the last 4 characters of the key id, and only of a real-looking one (AKIA/ASIA + 16).
  if (id.length >= 16) report.credentials.accessKeyIdEndsWith = id.slice(-4)
  report.credentials.temporary = credentials.temporary
  if (credentials.expiration) report.credentials.expires = credentials.expiration.toISOString()
  const expired = credentials.expiration !== undefined && credentials.expiration.getTime() <= Date.now()
  report.checks.push(
    expired
      ? {id: 'credentials', status: 'fail', detail: `${source.description}: the credentials expired at ${credentials.expiration?.toISOString()}`, fix: refreshFix(source), exitCode: ExitCode.accessDenied}
      : {
          id: 'credentials',
          status: 'ok',
          detail: `${source.description}${report.credentials.temporary ? ', temporary' : ''}${report.credentials.accessKeyIdEndsWith ? `, key id ending ${report.credentials.accessKeyIdEndsWith}` : ''}${credentials.expiration ? `, expire ${credentials.expiration.toISOString()}` : ''}`,
        },
  )
  return true
}

/** The region and where it came from, then the endpoint each client sends to; the region, if any. */
export async function checkRegion(input: DoctorInput, env: NodeJS.ProcessEnv, source: CredentialSource, report: DoctorReport): Promise<string | undefined> {
  const region = await input.probes.region()
  if (region) {
    report.region = region
    const fromFile = input.flags.region === undefined && input.environment?.region !== undefined
    report.checks.push({id: 'region', status: 'ok', detail: `${region} (${fromFile ? `secrets.yml, ${input.environment?.name}` : regionSource(env, input.flags.region, source)})`})
  } else {
    report.checks.push({id: 'region', status: 'fail', detail: 'no region is configured', fix: 'Pass --region, set AWS_REGION, or set region in your profile (aws configure set region eu-west-1).', exitCode: ExitCode.usage})
  }

  report.endpoints = endpointsFor(env, input.flags.endpointUrl, region)
  const endpoints = new Set(Object.values(report.endpoints))
  report.checks.push({
    id: 'endpoint',
    status: 'info',
    detail: endpoints.size === 1 ? [...endpoints][0] : Object.entries(report.endpoints).map(([service, url]) => `${service} ${url}`).join(', '),
  })
  return region
}

/** One AWS call as a check: skipped while an earlier check blocks it, ok with its detail, or the failure with its fix. */
export type Attempt = (id: string, action: string, resource: string | undefined, call: () => Promise<string>, onFail?: (check: Check) => Check) => Promise<boolean>

export function attempter(checks: Check[], blocked: string | undefined): Attempt {
  return async (id, action, resource, call, onFail) => {
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
}

/** Who the credentials are (STS), then the environment's account guard (src/core/account-guard.ts): writes there are refused unless they match. */
export async function checkIdentity(input: DoctorInput, attempt: Attempt, report: DoctorReport): Promise<void> {
  await attempt('identity', 'sts:GetCallerIdentity', undefined, async () => {
    const identity = await input.probes.identity()
    report.account = identity.account
    report.arn = identity.arn
    return `account ${identity.account ?? '?'}, ${identity.arn ?? '?'}`
  })

  const guard = judgeAccount(input.environment, report.account)
  if (guard.status === 'match') {
    report.checks.push({id: 'account', status: 'ok', detail: `${guard.expected}, as secrets.yml expects for ${input.environment?.name}`})
  } else if (guard.status === 'mismatch') {
    report.checks.push({
      id: 'account',
      status: 'fail',
      detail: `secrets.yml expects account ${guard.expected} for ${input.environment?.name}, but these credentials are account ${guard.actual}; set, promote, migrate, delete and restore refuse to write`,
      fix: `Use credentials for account ${guard.expected} (a profile: or role: in secrets.yml, or --profile), or correct account: in secrets.yml.`,
      exitCode: ExitCode.accessDenied,
    })
  }
}

/** Secrets Manager and SSM each answer one cheap read. */
export async function checkServices(probes: PermissionProbes, attempt: Attempt): Promise<void> {
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
}

/** Secrets counted on a scope: five full pages of ListSecrets, enough to find one and count what `list` shows. */
const COUNT_AT_MOST = 500

/** The reads the CLI needs on a scope, tried on its first secret; the writes explained. */
export async function checkScope(
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
  const pick = (service: string) => {
    const chosen = endpointSetting(env, flag, service)
    // Shown without userinfo: `http://user:PW@host` carries a password.
    return chosen ? `${shownEndpoint(chosen.url)} (${chosen.setting})` : `https://${service}.${region ?? '<region>'}.amazonaws.com (AWS)`
  }

  return {sts: pick('sts'), secretsmanager: pick('secretsmanager'), ssm: pick('ssm')}
}
