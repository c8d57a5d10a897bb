/**
 * Turns what an extractor read from a template into findings, by audit's rules: the variable verdicts
 * of core/audit/variables.ts, the parameter verdicts of core/audit/inspect.ts and the policy verdicts
 * of core/audit/iam.ts. Every format (CloudFormation, Serverless, Terraform, ECS, .env) is read into
 * the entries below, so each rule is written once.
 */
import {guessScopeFromWorkload, iamGrantFix, quoteArg, secretNameFor, ssmParameterFix} from '../audit/fixes.js'
import {
  describeGrant,
  grantEnvironments,
  grantServices,
  judgePolicy,
  type PolicyStatement,
  type SecretReadGrant,
  secretReadGrants,
} from '../audit/iam.js'
import {partProblem} from '../address.js'
import {judgeParameters} from '../audit/inspect.js'
import {looksLikeSecretName} from '../audit/names.js'
import {classifyVariables, type SecretScanner} from '../audit/variables.js'
import {type ScanFinding, scanFinding, type TemplateFormat} from './findings.js'
import type {Position} from './tree.js'

/** What an environment variable's value is, as a template says it. */
export type EnvValue =
  | {kind: 'literal'; text: string}
  /** An intrinsic, an ARN or name reference: resolved to something that is not the secret. */
  | {kind: 'reference'}
  /** Resolved at deploy time from a store or the deploying shell: the value lands in the configuration. */
  | {kind: 'resolved'; source: 'secretsmanager' | 'ssm-secure' | 'ssm' | 'env' | 'file'; path: string}

export interface EnvEntry {
  /** Logical id, function key or resource address. */
  resource: string
  /** The function or task family the grant is for, and whose name the scope is guessed from. */
  workload: string
  /** Where the variables are, for the template change: `Environment.Variables`, `provider.environment`, ... */
  where: string
  container?: string
  variable: string
  value: EnvValue
  position: Position
}

export interface ParameterEntry {
  resource: string
  /** The parameter's name as written (with `${...}` for what is resolved at deploy), if any. */
  name?: string
  /** The literal value; undefined when it is an intrinsic (then the name decides). */
  value?: string
  position: Position
}

export interface StatementEntry {
  statement: PolicyStatement
  /** Where each resource pattern of the statement is written. */
  positions: Map<string, Position>
  position: Position
}

export interface PolicyEntry {
  /** The role or policy resource. */
  resource: string
  /** The inline policy's name, or the SAM policy template. */
  policy?: string
  /** Policies of one role are judged together too; the role's key. */
  role?: string
  /** The functions that hold this policy (through the role or directly). */
  holders: string[]
  statements: StatementEntry[]
  position: Position
}

export interface Extracted {
  format: TemplateFormat
  env: EnvEntry[]
  parameters: ParameterEntry[]
  policies: PolicyEntry[]
}

/** `secrets grant` takes these formats; an ECS task definition or a .env file gets JSON. */
const GRANT_FORMATS: Record<TemplateFormat, string> = {
  cloudformation: 'cloudformation',
  sam: 'sam',
  cdk: 'cdk',
  serverless: 'serverless',
  terraform: 'terraform',
  ecs: 'json',
  dotenv: 'json',
}

/** `{{resolve:secretsmanager:...}}` and `{{resolve:ssm-secure:...}}` anywhere in a string. */
const SECRET_RESOLVE = /\{\{resolve:(secretsmanager|ssm-secure|ssm):([^}]*)\}\}/

/** Classifies a CloudFormation string (literal or the text of an intrinsic) for a variable. */
export function cfnEnvValue(value: {kind: 'literal' | 'intrinsic'; text: string; fn?: string}): EnvValue {
  const resolve = SECRET_RESOLVE.exec(value.text)
  // `{{resolve:ssm:...}}` reads a String parameter: configuration, or plain text audit reports in SSM.
  if (resolve && resolve[1] !== 'ssm') {
    const source = resolve[1] as 'secretsmanager' | 'ssm-secure' | 'ssm'
    // secretsmanager:name-or-arn[:SecretString:key:...]; ssm-secure:name[:version]
    return {kind: 'resolved', source, path: resolve[2]}
  }

  if (value.kind === 'literal') return {kind: 'literal', text: value.text}
  // A !Sub with nothing to substitute is a literal in disguise.
  if (value.fn === 'Fn::Sub' && !value.text.includes('${')) return {kind: 'literal', text: value.text}
  return {kind: 'reference'}
}

/** The name of the secret a resolve path names: `/prod/api/DB_PASS`, an ARN, `name:SecretString:key`. */
function secretOfPath(source: string, path: string): string {
  let name = path
  if (source === 'secretsmanager') {
    name = path.startsWith('arn:') ? (path.split(':')[6] ?? path) : (path.split(':')[0] ?? path)
  } else {
    name = path.replace(/:\d+$/, '')
  }

  return name.split('/').filter(Boolean).at(-1) ?? name
}

/** Applies every rule to what was read from one file. */
export async function judge(file: string, extracted: Extracted, scan: SecretScanner): Promise<ScanFinding[]> {
  return [
    ...(await judgeEnv(file, extracted, scan)),
    ...(await judgeParameterEntries(file, extracted, scan)),
    ...judgePolicies(file, extracted),
  ]
}

async function judgeEnv(file: string, {format, env}: Extracted, scan: SecretScanner): Promise<ScanFinding[]> {
  const literals = env.filter((entry) => entry.value.kind === 'literal')
  const verdicts = await classifyVariables(
    literals.map((entry) => ({name: entry.variable, value: (entry.value as {text: string}).text})),
    scan,
  )
  const verdictOf = new Map(literals.map((entry, index) => [entry, verdicts[index]]))
  const findings: ScanFinding[] = []
  for (const entry of env) {
    const {value} = entry
    const scope = guessScopeFromWorkload(entry.workload)
    const label = entry.container ? `${entry.container}/${entry.variable}` : entry.variable
    const base = {file, format, ...entry.position, resource: entry.resource, variable: label}
    if (value.kind === 'literal') {
      const verdict = verdictOf.get(entry)
      if (verdict === undefined || verdict.kind === 'clean') continue
      const name = secretNameFor(entry.variable)
      findings.push(
        scanFinding({
          ...base,
          rule: verdict.kind === 'secret-value' ? 'env-secret-value' : 'env-secret-name',
          reason: `${entry.variable} in ${entry.where}: ${verdict.detail}`,
          fix: {
            store: `secrets set ${scope.env}/${scope.service} ${name}`,
            grant: grantCommand(scope, entry.workload, name, format),
            change: `remove ${entry.variable} from ${entry.where}; pass the secret's name instead (${entry.variable}_SECRET_ID: /${scope.env}/${scope.service}/${name}) and read it at run time`,
          },
        }),
      )
      continue
    }

    if (value.kind !== 'resolved') continue
    const fromStore = value.source === 'secretsmanager' || value.source === 'ssm-secure'
    const secretLooking = looksLikeSecretName(entry.variable) || (value.source !== 'file' && looksLikeSecretName(secretOfPath(value.source, value.path)))
    if (!fromStore && !secretLooking) continue
    const name = secretNameFor(fromStore || value.source === 'ssm' ? secretOfPath(value.source, value.path) : entry.variable)
    const store =
      value.source === 'secretsmanager'
        ? undefined
        : value.source === 'ssm-secure' || value.source === 'ssm'
          ? ssmParameterFix(value.path.replace(/:\d+$/, '').startsWith('/') ? value.path.replace(/:\d+$/, '') : `/${value.path.replace(/:\d+$/, '')}`)
          : `secrets set ${scope.env}/${scope.service} ${name}`
    const how = {
      secretsmanager: 'a Secrets Manager dynamic reference',
      'ssm-secure': 'an SSM SecureString dynamic reference',
      ssm: 'an SSM parameter resolved at deploy',
      env: 'a variable of the deploying shell',
      file: 'a file read at deploy',
    }[value.source]
    findings.push(
      scanFinding({
        ...base,
        rule: 'env-resolved-secret',
        reason: `${entry.variable} in ${entry.where} is filled from ${how}: the value is stored in plain text in the function's configuration`,
        fix: {
          ...(store === undefined ? {} : {store}),
          grant: grantCommand(scope, entry.workload, name, format),
          change: `replace the value of ${entry.variable} with the secret's name (${entry.variable}_SECRET_ID) and read it at run time`,
        },
      }),
    )
  }

  return findings
}

/**
 * A template often names the environment with a parameter (`/${Stage}/*`): not a name `secrets grant`
 * takes, so the grant reads the environment off the function's name, or says ENV.
 */
function namedEnvironments(services: Map<string, Set<string>>, principal: string): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>()
  for (const [env, names] of services) {
    const name = partProblem('environment', env) === undefined ? env : guessScopeFromWorkload(principal).env
    out.set(name, new Set([...(out.get(name) ?? []), ...names]))
  }

  return out
}

function grantCommand(scope: {env: string; service: string}, workload: string, name: string, format: TemplateFormat): string {
  return `secrets grant ${scope.env}/${scope.service} --function ${quoteArg(workload)} --secret ${name} --format ${GRANT_FORMATS[format]}`
}

async function judgeParameterEntries(file: string, {format, parameters}: Extracted, scan: SecretScanner): Promise<ScanFinding[]> {
  const verdicts = await judgeParameters(
    parameters.map((entry) => ({name: entry.name ?? entry.resource, type: 'String', value: entry.value})),
    scan,
  )
  const findings: ScanFinding[] = []
  for (const [index, entry] of parameters.entries()) {
    const verdict = verdicts[index]
    if (!verdict.secret) continue
    const name = entry.name ?? entry.resource
    const conventional = /^\/[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(name)
    const scope = guessScopeFromWorkload(entry.resource)
    const store = conventional ? ssmParameterFix(name) : `secrets set ${scope.env}/${scope.service} ${secretNameFor(name.split('/').at(-1) ?? name)}`
    findings.push(
      scanFinding({
        file,
        format,
        ...entry.position,
        rule: 'ssm-plaintext-secret',
        resource: entry.resource,
        variable: name,
        reason: `parameter ${name}: a template can only create String parameters, so it is plain text (${verdict.detail.replace(/^unencrypted String: /, '')})`,
        fix: {store, change: `delete the parameter resource ${entry.resource} from the file; its readers take the secret's name and read it from Secrets Manager`},
      }),
    )
  }

  return findings
}

function judgePolicies(file: string, {format, policies}: Extracted): ScanFinding[] {
  const findings: ScanFinding[] = []
  const byRole = new Map<string, {grants: SecretReadGrant[]; holders: Set<string>; spanned: boolean; entry: PolicyEntry; first?: Position}>()
  for (const entry of policies) {
    const grants = secretReadGrants({Statement: entry.statements.map((item) => item.statement)})
    const where = (pattern: string) => {
      for (const item of entry.statements) {
        const position = item.positions.get(pattern)
        if (position) return position
      }

      return entry.statements[0]?.position ?? entry.position
    }

    const principal = entry.holders.length === 1 ? entry.holders[0] : entry.resource
    const services = namedEnvironments(grantServices(grants), principal)
    const variable = entry.policy
    const verdict = judgePolicy(grants)
    if (verdict) {
      const pattern = verdict.rule === 'iam-multiple-environments' ? grants[0].resources[0].pattern : verdict.pattern
      const reason =
        verdict.rule === 'iam-multiple-environments'
          ? `reads secrets of ${verdict.environments.length} environments (${verdict.environments.join(', ')})`
          : describeGrant(verdict.grant, verdict.pattern)
      findings.push(
        scanFinding({
          file,
          format,
          ...where(pattern),
          rule: verdict.rule,
          resource: entry.resource,
          ...(variable === undefined ? {} : {variable}),
          reason,
          fix: {
            grant: iamGrantFix(principal, services, verdict.rule === 'iam-multiple-environments', GRANT_FORMATS[format]),
            change: `replace the statement in ${entry.resource}${variable ? ` (${variable})` : ''} with the one the grant prints`,
          },
        }),
      )
    }

    if (grants.length > 0 && entry.role !== undefined) {
      const role = byRole.get(entry.role) ?? {grants: [], holders: new Set<string>(), spanned: false, entry}
      role.grants.push(...grants)
      for (const holder of entry.holders) role.holders.add(holder)
      role.first ??= where(grants[0].resources[0].pattern)
      if (verdict && verdict.rule !== 'iam-whole-environment') role.spanned = true
      byRole.set(entry.role, role)
    }
  }

  for (const [role, {grants, holders, spanned, first, entry}] of byRole) {
    const position = first ?? entry.position
    const environments = grantEnvironments(grants)
    if (!spanned && environments.length > 1) {
      findings.push(
        scanFinding({
          file,
          format,
          ...position,
          rule: 'iam-role-spans-environments',
          resource: role,
          reason: `its policies together read secrets of ${environments.length} environments (${environments.join(', ')})`,
          fix: {grant: iamGrantFix(role, namedEnvironments(grantServices(grants), role), true, GRANT_FORMATS[format]), change: `split ${role} into one role per environment`},
        }),
      )
    }

    if (holders.size > 1) {
      const names = [...holders].sort()
      findings.push(
        scanFinding({
          file,
          format,
          ...position,
          rule: 'iam-shared-role',
          resource: role,
          reason: `${names.length} functions (${names.join(', ')}) share it, so each can read the secrets of all`,
          fix: {
            grant: names
              .map((name) => {
                const scope = guessScopeFromWorkload(name)
                return `secrets grant ${scope.env}/${scope.service} --function ${quoteArg(name)} --secret NAME --format ${GRANT_FORMATS[format]}`
              })
              .join('; '),
            change: `give each function its own role (or its own Policies) with only the statement its grant prints`,
          },
        }),
      )
    }
  }

  return findings
}
