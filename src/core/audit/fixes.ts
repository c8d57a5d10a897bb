/**
 * The `secrets` commands that fix each finding. Where the environment or service cannot be read off a
 * name, the command carries an upper-case placeholder (ENV, SERVICE, NAME) for the user to fill in.
 */
import {partProblem, SecretAddress} from '../address.js'
import {printable} from '../printable.js'
import {runtimeOfDeclared} from '../runtime-snippets.js'
import {guessScopeFromWorkload} from '../workload-scope.js'
import {fence, narrowStatements} from '../scan/narrow-policy.js'
import {type PolicyStatement, type SecretReadGrant, secretReadGrants, type SecretStore, wildcardMatch} from './iam.js'
import type {WorkloadTarget} from './workload-targets.js'

export {type GuessedScope, guessScopeFromWorkload} from '../workload-scope.js'

const valid = (part: 'environment' | 'service' | 'name', text: string | undefined): text is string =>
  text !== undefined && partProblem(part, text) === undefined

/**
 * A variable name as a secret name, or NAME when the CLI would refuse it as one (a character Secrets
 * Manager does not take, or a `-` and six characters at the end, which read as an ARN's suffix).
 */
export function secretNameFor(variable: string): string {
  try {
    SecretAddress.of('env', 'service', variable)
    return variable
  } catch {
    return 'NAME'
  }
}

/** Quotes a shell argument when it needs it. */
export const quoteArg = (text: string) => (/^[\w./:=@,+-]+$/.test(text) ? text : `'${text.replaceAll("'", String.raw`'\''`)}'`)

/**
 * A workload's grant `--runtime` (with its leading space) and what its fix adds about it: the
 * function's own runtime where the handlers cover it, with nothing to add; no --runtime, and why,
 * where they do not (java21, go1.x, provided.al2023); Node.js, and the Python flag beside it, where the
 * runtime is not known (a task definition, a function packaged as a container image).
 */
export function grantRuntime(declared: string | undefined): {flag: string; note?: string} {
  const {runtime, note} = runtimeOfDeclared(declared)
  const flag = runtime === undefined ? '' : ` --runtime ${runtime}`
  if (declared === undefined) return {flag, note: 'python: --runtime python'}
  return note === undefined ? {flag} : {flag, note}
}

/**
 * The fix of every secret in one workload's environment, the same on each of its findings, in three
 * steps: one migrate of the whole workload (it takes exactly what the audit found, by the same rules),
 * one grant --runtime for all of those secrets (policy, the variables that name them, the handler
 * of the workload's runtime: see grantRuntime), and, as a shell comment, the variables to remove.
 * Run as printed in a shell, it migrates and prints the grant. Where the scope is a guess with a
 * placeholder (ENV, SERVICE), the fix says to fill it in.
 */
function workloadFix(flag: '--from-lambda' | '--from-ecs', workload: string, variables: readonly string[], runtime: string | undefined): string {
  const {env, service} = guessScopeFromWorkload(workload)
  const names = [...new Set(variables.map((variable) => secretNameFor(variable)))].sort()
  const task = flag === '--from-ecs'
  const advice = grantRuntime(runtime)
  const grant = `secrets grant ${env}/${service} ${task ? '--task' : '--function'} ${quoteArg(workload)}${names.map((name) => ` --secret ${quoteArg(name)}`).join('')}${advice.flag}`
  const placeholders = [env === 'ENV' ? 'ENV' : '', service === 'SERVICE' ? 'SERVICE' : ''].filter(Boolean)
  const command = `secrets migrate ${flag} ${quoteArg(workload)} --to ${env}/${service} && ${grant}`
  // The third step as a shell comment, so the line still runs as printed.
  const listed = [...new Set(variables)].sort().map((variable) => printable(variable)).join(', ')
  const note = advice.note === undefined ? '' : ` (${advice.note})`
  const remove = task
    ? `  # then remove ${listed} from ${workload}'s container environment and read them at run time with the module the grant prints${note}; ${ecsValueFromCaveat(true)}`
    : `  # then remove ${listed} from ${workload}'s environment${note}`
  return placeholders.length > 0 ? `${command} (fill in ${placeholders.join(' and ')})${remove}` : `${command}${remove}`
}

/**
 * Fix for a Lambda function's secret variables (all of them at once): migrate them, then one grant,
 * with the handler of the function's `runtime` as Lambda names it (absent for a container image).
 */
export function lambdaFunctionFix(functionName: string, variables: readonly string[], runtime?: string): string {
  return workloadFix('--from-lambda', functionName, variables, runtime)
}

/**
 * What moving a container's entries to its `secrets` (valueFrom) leaves: ECS reads the secret at
 * start-up and sets it as an environment variable of the container, the first mistake again.
 */
export function ecsValueFromCaveat(several: boolean): string {
  return several
    ? "moving them to the container's secrets (valueFrom) instead is the lesser step: ECS then sets each value as an environment variable of the container, visible to anything that can read the process environment"
    : "moving it to the container's secrets (valueFrom) instead is the lesser step: ECS then sets the value as an environment variable of the container, visible to anything that can read the process environment"
}

/**
 * Fix for a task definition family's secret `environment` entries (every container at once): migrate
 * them, then one grant for the family's task role with the module that reads them at run time.
 */
export function ecsTaskDefinitionFix(family: string, variables: readonly string[]): string {
  return workloadFix('--from-ecs', family, variables, undefined)
}

/**
 * Fix for a parameter: migrate that one parameter, and nothing else of its path, into the matching
 * scope, deleting it once its secret verified. `/prod/billing/DB_PASSWORD` gives
 * `secrets migrate --from-ssm /prod/billing --to prod/billing --only DB_PASSWORD --delete-source`:
 * the parameters beside it (configuration, as often as not) stay where they are. When the scope has a
 * placeholder (ENV, SERVICE), the fix copies without deleting: run as printed, it loses nothing.
 */
export function ssmParameterFix(parameterName: string, fallback?: {env: string; service: string}): string {
  const segments = parameterName.replace(/^\//, '').split('/')
  const last = segments.at(-1) ?? parameterName
  const parent = segments.length >= 2 ? `/${segments.slice(0, -1).join('/')}` : '/'
  const {env = fallback?.env ?? 'ENV', service = fallback?.service ?? 'SERVICE'} = scopeOfPath(parameterName)
  const command = `secrets migrate --from-ssm ${quoteArg(parent)} --to ${env}/${service} --only ${quoteArg(last)}`
  const placeholders = [env === 'ENV' ? 'ENV' : '', service === 'SERVICE' ? 'SERVICE' : ''].filter(Boolean)
  if (placeholders.length > 0) return `${command} (fill in ${placeholders.join(' and ')}; add --delete-source once the secret is where it belongs)`
  return `${command} --delete-source`
}

/**
 * The environment and service a stored name gives, as far as it gives them: `/prod/api/DB_PASS` both,
 * `/prod/DB_PASS` the environment, `DB_PASS` neither. Store and grant commands take their scope from
 * here, so the secret a migrate writes is the one the grant reads.
 */
export function scopeOfPath(name: string): {env?: string; service?: string} {
  const segments = name.replace(/^\//, '').split('/')
  return {
    ...(segments.length >= 2 && valid('environment', segments[0]) ? {env: segments[0]} : {}),
    ...(segments.length >= 3 && valid('service', segments[1]) ? {service: segments[1]} : {}),
  }
}

/**
 * Fix for a policy: one least-privilege grant per environment and service it should reach.
 * `principal` is the role, user or policy the grant is for; `services` the environments and services
 * its statements name (empty when it reaches everything).
 */
export function iamGrantFix(
  principal: string,
  services: ReadonlyMap<string, ReadonlySet<string>>,
  separateRoles: boolean,
  /** `secrets scan` asks for the grant in the template's own format. */
  format?: string,
  grantee = principal,
  functionKey?: string,
): string {
  const grants = iamGrantCommands(principal, services, format, grantee, functionKey)
  const how = separateRoles && grants.length > 1 ? 'give each environment its own role with' : 'replace the statement with'
  return `${how}: ${grants.join('; ')}`
}

/** The grants of iamGrantFix alone: one per environment and service the policy names, or one the principal's name gives. */
export function iamGrantCommands(
  principal: string,
  services: ReadonlyMap<string, ReadonlySet<string>>,
  format?: string,
  /** The function to grant to, when the principal is not one (a role no function of the template names): FUNCTION. */
  grantee = principal,
  /** The key a template gives the function, where it is not the function's name (a serverless.yml key). */
  functionKey?: string,
): string[] {
  const formatFlag = format === undefined ? '' : ` --format ${format}`
  const functionFlags = `--function ${quoteArg(grantee)}${functionKeyFlag(grantee, functionKey)}`
  // Where the policy names no service (`*`, `/prod/*`), the principal's own name may: role billing-prod -> prod/billing.
  const guess = guessScopeFromWorkload(principal)
  const grants: string[] = []
  for (const [env, names] of [...services].sort(([a], [b]) => a.localeCompare(b))) {
    const list = names.size > 0 ? [...names].sort() : [guess.service]
    for (const service of list) grants.push(`secrets grant ${env}/${service} ${functionFlags} --secret NAME${formatFlag}`)
  }

  if (grants.length === 0) grants.push(`secrets grant ${guess.env}/${guess.service} ${functionFlags} --secret NAME${formatFlag}`)
  return grants
}

/** ` --function-key KEY` when the template keys the function otherwise than by its name. */
export function functionKeyFlag(workload: string, templateKey: string | undefined): string {
  return templateKey === undefined || templateKey === workload ? '' : ` --function-key ${quoteArg(templateKey)}`
}

/** A Lambda function or task definition family that runs as a role, and the secrets the audit found in its environment. */
export interface RoleUser {
  kind: 'lambda' | 'ecs'
  name: string
  /** Secret names (variables the audit calls secrets), to name in its grant; NAME when none. */
  secrets: readonly string[]
  /** The secrets and parameters its environment names by ARN or name: what it reads, so what the role's policy keeps. */
  targets?: readonly WorkloadTarget[]
}

/** `arn:aws:iam::123456789012:role/service-role/billing` -> `billing` (the name IAM lists roles by). */
export function roleNameOfArn(arn: string): string {
  return arn.slice(arn.lastIndexOf('/') + 1)
}

/** Records that `user` runs as the role of `roleArn` (in a map of role name -> its users). */
export function addRoleUser(roleUsers: Map<string, RoleUser[]> | undefined, roleArn: string, user: RoleUser): void {
  if (!roleUsers) return
  const role = roleNameOfArn(roleArn)
  roleUsers.set(role, [...(roleUsers.get(role) ?? []), user])
}

/**
 * Fix for a role's policy when functions or task definitions run as that role: one grant per
 * workload, each for the secrets of its own environment (or NAME), in the environments and services
 * the policy names. Where the policy names none (`*`), the workload's own name gives the scope
 * (billing-prod -> prod/billing), so the environment is filled in wherever a name carries one.
 */
export function roleUsersFix(role: string, services: ReadonlyMap<string, ReadonlySet<string>>, users: readonly RoleUser[], separateRoles: boolean, format?: string): string {
  const formatFlag = format === undefined ? '' : ` --format ${format}`
  const grants: string[] = []
  const placeholders = new Set<string>()
  // Lambda and ECS are read at once, so the order users arrive in is not stable; the fix's text must be.
  const sorted = [...users].sort((a, b) => a.name.localeCompare(b.name))
  for (const user of sorted) {
    const guess = guessScopeFromWorkload(user.name)
    const scopes = [...services].flatMap(([env, names]) => (names.size > 0 ? [...names].map((service) => `${env}/${service}`) : [`${env}/${guess.service}`]))
    if (scopes.length === 0) scopes.push(`${guess.env}/${guess.service}`)
    const secrets = user.secrets.length > 0 ? [...new Set(user.secrets.map((name) => secretNameFor(name)))].sort() : ['NAME']
    for (const scope of scopes.sort()) {
      for (const part of scope.split('/')) if (part === 'ENV' || part === 'SERVICE') placeholders.add(part)
      grants.push(`secrets grant ${scope} --function ${quoteArg(user.name)}${secrets.map((name) => ` --secret ${quoteArg(name)}`).join('')}${formatFlag}`)
    }
  }

  if (users.some((user) => user.secrets.length === 0)) placeholders.add('NAME')
  const who = sorted.map((user) => `${user.kind === 'lambda' ? 'function' : 'task definition'} ${user.name}`).join(', ')
  const how = separateRoles && grants.length > 1 ? `give each its own role (${role} is used by ${who}) with` : `replace the statement (${role} is used by ${who}) with`
  const fill = placeholders.size > 0 ? ` (fill in ${[...placeholders].join(', ')})` : ''
  return `${how}: ${grants.join('; ')}${fill}`
}

/**
 * Fix for a policy held by IAM users or groups. A user is not a function: `secrets grant` writes a
 * function's policy, so the fix is to scope the users' or groups' own statement to the secrets they
 * read (the environments and services the policy names, else placeholders), or, for an attached AWS
 * managed policy, to detach it or deny the reads beside it.
 */
export function principalScopeFix(
  principals: ReadonlyArray<{kind: 'user' | 'group'; name: string}>,
  services: ReadonlyMap<string, ReadonlySet<string>>,
  managed?: string,
): string {
  const scopes = [...services].flatMap(([env, names]) => (names.size > 0 ? [...names].sort().map((service) => `${env}/${service}`) : [`${env}/SERVICE`]))
  const examples = (scopes.length > 0 ? scopes.sort() : ['ENV/SERVICE']).map((scope) => `arn:aws:secretsmanager:REGION:ACCOUNT:secret:/${scope}/NAME-??????`)
  const kinds = [...new Set(principals.map((principal) => principal.kind))].join(' or ')
  const who = principals.map((principal) => `${principal.kind} ${quoteArg(principal.name)}`).join(', ')
  const secrets = `the secrets it reads (Resource ${examples.join(', ')}, one per secret)`
  if (managed !== undefined) {
    return `a ${kinds} is not a function (no grant): detach ${managed} from ${who} and allow only ${secrets}, or add a Deny of secretsmanager:GetSecretValue and ssm:GetParameter* beside it`
  }

  return `a ${kinds} is not a function (no grant): scope the statement of ${who} to ${secrets}`
}

/** Where a role's policy lives, which decides the command that replaces it. */
export type PolicyHome =
  | {kind: 'inline'; role: string; policyName: string}
  | {kind: 'customer-managed'; role: string; policyArn: string}
  /** An AWS managed policy cannot be edited: a Deny is put beside it, as an inline policy of the role. */
  | {kind: 'aws-managed'; role: string; policyName: string}

/** A narrowed policy as `--json` carries it: what to apply, where, and the command that applies it. */
export interface PolicyFix {
  action: 'put-role-policy' | 'create-policy-version'
  role: string
  /** The inline policy written (the narrowed one, or the Deny beside an AWS managed policy). */
  policyName?: string
  policyArn?: string
  document: {Version: string; Statement: unknown[]}
  /** The other actions of the statements that read secrets, kept: `logs:*` beside a read, `secretsmanager:*` (fenced). */
  kept: string[]
  /** Whether a wildcard that also reads (`secretsmanager:*`, `*`) was kept and fenced by a Deny. */
  fenced: boolean
  /** What the reads are narrowed to, and which variable of which workload names each. */
  targets: WorkloadTarget[]
  command: string
}

const STORE_WORDS: Record<SecretStore, string> = {secretsmanager: 'secrets', ssm: 'SecureString parameters'}
const STORE_HANDLES: Record<SecretStore, string> = {
  secretsmanager: "a secret's ARN, or its name in a *_SECRET_ARN, *_SECRET_ID or *_SECRET_NAME variable",
  ssm: "a parameter's ARN, or its name in a *_PARAMETER_NAME variable",
}

/** The name part of a store's ARN or ARN pattern: what follows `secret:` or `parameter/`. */
const nameOfArn = (arn: string) => arn.split(':').slice(5).join(':').replace(/^(secret:|parameter\/?)/, '')

/** Whether a broad grant's resource already allowed reading the target: the fix narrows, it never adds a secret. */
const covers = (resource: SecretReadGrant['resources'][number], target: WorkloadTarget) =>
  resource.stores.includes(target.store) && (resource.reach.kind === 'all' || wildcardMatch(nameOfArn(resource.pattern), nameOfArn(target.resource)))

/** Services whose Lambda event sources read a broker's secret with the function's role: a secret no environment names. */
const EVENT_SOURCE_SERVICES = new Set(['mq', 'kafka', 'kafka-cluster'])

/** An action of an Allow that says the role may serve an event source (`mq:DescribeBroker`), if there is one. */
function eventSourceAction(statements: readonly PolicyStatement[]): string | undefined {
  for (const statement of statements) {
    if ((statement.Effect ?? '').toLowerCase() !== 'allow') continue
    const actions = statement.Action === undefined ? [] : Array.isArray(statement.Action) ? statement.Action : [statement.Action]
    const found = actions.find((action) => EVENT_SOURCE_SERVICES.has(action.split(':')[0].toLowerCase()))
    if (found !== undefined) return found
  }

  return undefined
}

const describeUser = (user: RoleUser) => `${user.kind === 'lambda' ? 'function' : 'task definition'} ${user.name}`

/**
 * The fix of a role's policy that keeps what its workloads do and takes away only what they do not:
 * the secret reads narrowed to the secrets and parameters their environments name (see
 * environmentTargets), every other action and statement kept, wildcards fenced by a Deny; for an AWS
 * managed policy, a Deny beside it. Printed as the `aws iam` command that applies it. Refused, with the
 * reason, where no workload runs as the role or their environments name none of what it reads.
 */
export function narrowedRoleFix(home: PolicyHome, statements: readonly PolicyStatement[], users: readonly RoleUser[]): {fix: string; policyFix: PolicyFix} | {refused: string} {
  const broad = secretReadGrants({Statement: [...statements]}).flatMap((grant) => grant.resources.filter((resource) => resource.reach.kind !== 'scoped'))
  if (broad.length === 0) return {refused: 'each of its secret reads is scoped to a service or a name already'}
  if (users.length === 0) return {refused: `no Lambda function or ECS task definition read by the audit runs as ${home.role}, so nothing names the secrets it reads`}
  // The audit does not read event source mappings: narrowing could take away the broker's secret.
  const eventSource = users.some((user) => user.kind === 'lambda') ? eventSourceAction(statements) : undefined
  if (eventSource !== undefined) {
    return {refused: `it also allows ${eventSource}: an event source (Amazon MQ, Kafka) may read its broker's secret with this role, which no environment names; narrow it by hand, keeping that secret`}
  }

  const sorted = [...users].sort((a, b) => a.name.localeCompare(b.name))
  const who = sorted.map((user) => describeUser(user)).join(', ')
  const named = new Map<string, WorkloadTarget>()
  for (const target of sorted.flatMap((user) => user.targets ?? [])) if (!named.has(target.resource)) named.set(target.resource, target)
  const targets = [...named.values()].filter((target) => broad.some((resource) => covers(resource, target)))
  const nothingNamed = (store: SecretStore) => `nothing in the environment of ${who} names the ${STORE_WORDS[store]} ${home.role} reads (${STORE_HANDLES[store]})`

  let document: PolicyFix['document']
  let kept: string[] = []
  let fenced = home.kind === 'aws-managed'
  if (home.kind === 'aws-managed') {
    const stores = (['secretsmanager', 'ssm'] as const).filter((store) => broad.some((resource) => resource.stores.includes(store)))
    const unnamed = stores.find((store) => !targets.some((target) => target.store === store))
    if (unnamed !== undefined) return {refused: nothingNamed(unnamed)}
    document = {Version: '2012-10-17', Statement: stores.map((store) => fence(store, targets))}
  } else {
    const narrowed = narrowStatements(
      statements.map((statement) => ({statement, written: statement as Record<string, unknown>})),
      targets,
      {nothingNamed},
    )
    if ('refused' in narrowed) return narrowed
    document = {Version: '2012-10-17', Statement: narrowed.statements}
    kept = narrowed.kept
    fenced = narrowed.fenced.length > 0
  }

  const json = quoteArg(JSON.stringify(document))
  const policyFix: PolicyFix =
    home.kind === 'customer-managed'
      ? {action: 'create-policy-version', role: home.role, policyArn: home.policyArn, document, kept, fenced, targets, command: `aws iam create-policy-version --policy-arn ${quoteArg(home.policyArn)} --policy-document ${json} --set-as-default`}
      : {action: 'put-role-policy', role: home.role, policyName: policyNameOf(home), document, kept, fenced, targets, command: `aws iam put-role-policy --role-name ${quoteArg(home.role)} --policy-name ${quoteArg(policyNameOf(home))} --policy-document ${json}`}
  const labels = targets.map((target) => target.label).join(', ')
  const lead =
    home.kind === 'aws-managed'
      ? `keep ${home.policyName} and deny its secret reads beyond what ${who} name${sorted.length > 1 ? '' : 's'} (${labels})`
      : `narrow the secret reads to what ${who} name${sorted.length > 1 ? '' : 's'} (${labels}), keeping every other statement${kept.length > 0 ? ` and ${kept.join(', ')}` : ''}`
  const wide = fenced && home.kind !== 'aws-managed' ? ' (a wildcard that also reads secrets is kept as written, fenced by a Deny)' : ''
  const versions = home.kind === 'customer-managed' ? '; IAM keeps five versions of a policy: if it has five, delete one first (aws iam delete-policy-version)' : ''
  return {fix: `${lead}${wide}: ${policyFix.command}${versions}`, policyFix}
}

/** The inline policy a fix writes: the same one narrowed, or, beside an AWS managed policy, a Deny named after it. */
function policyNameOf(home: Exclude<PolicyHome, {kind: 'customer-managed'}>): string {
  // IAM's limit on a role policy's name.
  return home.kind === 'inline' ? home.policyName : `OnlyItsOwnSecrets-${home.policyName}`.slice(0, 128)
}
