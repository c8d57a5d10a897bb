/**
 * The IAM rules: audit's policy verdicts (core/audit/iam.ts) per policy, then per role (two scoped
 * policies on one role can still span environments), and a role that reads secrets for several
 * functions. A policy read once per way its `Fn::If`s go is judged per reading; a finding that only
 * some readings give names the conditions they share.
 */
import {functionKeyFlag, guessScopeFromWorkload, iamGrantCommands, iamGrantFix, principalScopeFix, quoteArg} from '../audit/fixes.js'
import {
  decryptsEveryKey,
  describeVerdict,
  grantEnvironments,
  grantServices,
  judgePolicy,
  type PolicyStatement,
  type PolicyVerdict,
  type SecretReadGrant,
  secretReadGrants,
} from '../audit/iam.js'
import {referencedResources} from './cfn-targets.js'
import {type Extracted, GRANT_FORMATS, namedEnvironments, type PolicyEntry, type StatementEntry} from './entries.js'
import {type Narrowing, narrowPolicy, type SecretTarget} from './narrow-policy.js'
import {type ScanFinding, scanFinding, type ScanFindingInput, type TemplateFormat} from './findings.js'
import type {Position} from './tree.js'

interface RoleGrants {
  grants: SecretReadGrant[]
  holders: Set<string>
  /** Already reported for reaching every secret or several environments, by one of its policies. */
  spanned: boolean
  position: Position
}

/** A finding and the way the conditions went in the reading that gave it (none: every reading). */
interface Judged {
  input: ScanFindingInput
  when?: Record<string, boolean>
}

/** More conditions than this across one role's policies are not all combined: the rest take either way. */
const MAX_ROLE_CONDITIONS = 6

export function judgePolicies(file: string, extracted: Extracted): ScanFinding[] {
  const {format, policies} = extracted
  const judged: Judged[] = []
  // A Deny in one of a role's policies fences the reads its other policies allow (a fix beside a managed policy writes one).
  const denies = new Map<string, PolicyStatement[]>()
  for (const entry of policies) {
    if (entry.role === undefined) continue
    const own = entry.statements.map((item) => item.statement).filter((statement) => (statement.Effect ?? '').toLowerCase() === 'deny')
    denies.set(entry.role, [...(denies.get(entry.role) ?? []), ...own])
  }

  for (const entry of policies) {
    const own = entry.statements.map((item) => item.statement)
    const others = (entry.role === undefined ? [] : (denies.get(entry.role) ?? [])).filter((statement) => !own.includes(statement))
    const document = {Statement: [...own, ...others]}
    const grants = secretReadGrants(document)
    const verdict = judgePolicy(grants)
    if (verdict) judged.push({input: policyFinding(file, extracted, entry, grants, verdict, describeVerdict(verdict, decryptsEveryKey(document))), when: entry.when})
  }

  const byRole = new Map<string, PolicyEntry[]>()
  for (const entry of policies) if (entry.role !== undefined) byRole.set(entry.role, [...(byRole.get(entry.role) ?? []), entry])
  for (const [role, entries] of byRole) {
    const conditions = [...new Set(entries.flatMap((entry) => Object.keys(entry.when ?? {})))].slice(0, MAX_ROLE_CONDITIONS)
    for (const when of assignments(conditions)) {
      const together = roleGrants(entries.filter((entry) => agrees(entry.when, when)), denies.get(role) ?? [])
      if (together) judged.push(...roleFindings(file, format, role, together, extracted.functionKeys ?? {}).map((input) => ({input, ...(conditions.length > 0 ? {when} : {})})))
    }
  }

  return merged(judged)
}

/** A role's policies in one reading, together. */
function roleGrants(entries: PolicyEntry[], denies: readonly PolicyStatement[]): RoleGrants | undefined {
  let role: RoleGrants | undefined
  for (const entry of entries) {
    const grants = secretReadGrants({Statement: [...entry.statements.map((item) => item.statement), ...denies]})
    if (grants.length === 0) continue
    role ??= {grants: [], holders: new Set<string>(), spanned: false, position: where(entry, grants[0].resources[0].pattern)}
    role.grants.push(...grants)
    for (const holder of entry.holders) role.holders.add(holder)
    const verdict = judgePolicy(grants)
    if (verdict && verdict.rule !== 'iam-whole-environment') role.spanned = true
  }

  return role
}

/** Every way the conditions can go. */
function assignments(conditions: readonly string[]): Array<Record<string, boolean>> {
  let out: Array<Record<string, boolean>> = [{}]
  for (const name of conditions) out = out.flatMap((when) => [{...when, [name]: true}, {...when, [name]: false}])
  return out
}

/** A reading of a policy belongs to a reading of its role when no condition goes the other way. */
const agrees = (entry: Record<string, boolean> | undefined, when: Record<string, boolean>) =>
  entry === undefined || Object.entries(when).every(([name, value]) => entry[name] === undefined || entry[name] === value)

/**
 * One finding per distinct finding: the same one from every reading is reported once as it is; one
 * that only some readings give says so, with the conditions those readings share.
 */
function merged(judged: Judged[]): ScanFinding[] {
  const groups = new Map<string, {input: ScanFindingInput; whens: Array<Record<string, boolean> | undefined>}>()
  for (const {input, when} of judged) {
    const key = JSON.stringify(input)
    const group = groups.get(key) ?? {input, whens: []}
    group.whens.push(when)
    groups.set(key, group)
  }

  return [...groups.values()].map(({input, whens}) => {
    const shared = sharedConditions(whens)
    if (shared.length === 0) return scanFinding(input)
    const words = shared.map(([name, value]) => `${name} is ${value}`).join(' and ')
    const label = shared.map(([name, value]) => `${value ? 'if' : 'unless'} ${name}`).join(', ')
    return scanFinding({
      ...input,
      // The branch names the finding apart, so a baseline of one branch does not hide the other.
      variable: input.variable === undefined ? label : `${input.variable} (${label})`,
      reason: `${input.reason}; in the Fn::If branch taken when ${words}`,
    })
  })
}

/** The conditions that went the same way in every reading that gave a finding; none when a reading had none. */
function sharedConditions(whens: Array<Record<string, boolean> | undefined>): Array<[string, boolean]> {
  if (whens.some((when) => when === undefined)) return []
  const [first, ...rest] = whens as Array<Record<string, boolean>>
  return Object.entries(first)
    .filter(([name, value]) => rest.every((when) => when[name] === value))
    .sort(([a], [b]) => a.localeCompare(b))
}

/** Where a resource pattern is written in the policy, or the policy's first statement. */
function where(entry: PolicyEntry, pattern: string): Position {
  for (const item of entry.statements) {
    const position = item.positions.get(pattern)
    if (position) return position
  }

  return entry.statements[0]?.position ?? entry.position
}

function policyFinding(file: string, extracted: Extracted, entry: PolicyEntry, grants: SecretReadGrant[], verdict: PolicyVerdict, reason: string): ScanFindingInput {
  const {format} = extracted
  // A Terraform address names the role, not a function: its last part gives the scope's guess.
  const principal = entry.holders.length === 1 ? entry.holders[0] : (entry.resource.split('.').at(-1) ?? entry.resource)
  const services = namedEnvironments(grantServices(grants), principal)
  const variable = entry.policy
  const multiple = verdict.rule === 'iam-multiple-environments'
  const held = entry.principals ?? []
  const holders = held.length > 0 ? `; held by ${held.map((item) => `${item.kind} ${item.name}`).join(', ')}` : ''
  const base = {file, format, ...where(entry, multiple ? grants[0].resources[0].pattern : verdict.pattern), resource: entry.resource, ...(variable === undefined ? {} : {variable})}
  const named = `${entry.resource}${variable ? ` (${variable})` : ''}`
  // A policy only users or groups hold has no function to grant to: its fix scopes the policy itself.
  if (entry.holders.length === 0 && held.length > 0) {
    return {...base, rule: verdict.rule, reason: `${entry.managed ?? reason}${holders}`, fix: {change: principalScopeFix(held, services, entry.managed === undefined ? undefined : entry.policy)}}
  }

  const assumer = roleAssumer(entry)
  if (assumer.kind === 'deploy') {
    return {
      ...base,
      rule: 'iam-deploy-role-secrets',
      reason: `${entry.managed ?? reason}; a deploy role (assumed by ${assumer.by}): whoever can start a deployment can read the secrets`,
      fix: {
        change: `${named} deploys secrets but need not read their values: scope its secret reads to the secrets its stacks resolve ({{resolve:secretsmanager:...}}), or take them out; it is not a function, so no grant`,
      },
    }
  }

  if (assumer.kind === 'end-users' || assumer.kind === 'service') {
    const who = assumer.kind === 'end-users' ? `the end users of a Cognito identity pool (${assumer.by}) receive this role's credentials` : `${assumer.by} assumes it, not a function`
    const narrowing = assumer.kind === 'end-users' ? narrowPolicy(entry, [], {readsNone: true}) : {refused: 'the template does not say which secrets that service reads'}
    const change = 'edits' in narrowing ? `take the secret reads out of ${named}: a function reads a secret on the user's behalf; ${edited(narrowing)}` : `scope the secret reads of ${named} to the secrets it needs (${narrowing.refused})`
    return {...base, rule: verdict.rule, reason: `${entry.managed ?? reason}; ${who}`, fix: {change, ...('edits' in narrowing ? {edits: narrowing.edits} : {})}}
  }

  const targets = uniqueTargets([
    ...entry.holders.flatMap((holder) => extracted.targets?.[holder] ?? []),
    ...extracted.policies.filter((other) => other.role !== undefined && other.role === entry.role).flatMap((other) => other.statements.flatMap((item) => readTargets(item))),
  ])
  // Secrets of several environments, each scoped, call for a role per environment (the grants), not a narrower statement.
  const narrowing = multiple
    ? {refused: `${named} reads secrets of several environments`}
    : extracted.targets === undefined
      ? {refused: 'this format does not yet say which secrets a function reads'}
      : narrowPolicy(entry, targets)
  if ('edits' in narrowing) {
    const reads = narrowing.targets.length > 0 ? narrowing.targets.map((target) => target.label).join(', ') : 'no secret (the template passes it none)'
    const readers = entry.holders.length > 1 ? `its functions (${entry.holders.join(', ')})` : principal
    return {...base, rule: verdict.rule, reason: `${entry.managed ?? reason}${holders}`, fix: {change: `in ${named}, let ${readers} read ${reads} and nothing else; ${edited(narrowing)}`, edits: narrowing.edits}}
  }

  // One grant per function that holds the policy; FUNCTION to fill in where the file names none.
  const grantees = entry.holders.length === 0 ? ['FUNCTION'] : entry.holders
  // A function whose name gives one of the policy's environments (billing-invoice-prod) is granted that one alone.
  const servicesOf = (grantee: string) => {
    const own = guessScopeFromWorkload(grantee).env
    return services.has(own) ? new Map([[own, services.get(own) as Set<string>]]) : services
  }

  // A function's own name gives its scope where the policy names none; the policy's name does only when no function holds it.
  const grantCommands = grantees.flatMap((grantee) =>
    iamGrantCommands(grantee === 'FUNCTION' ? principal : grantee, servicesOf(grantee), GRANT_FORMATS[format], grantee, extracted.functionKeys?.[grantee]),
  )
  const change = multiple
    ? `give each environment its own role, with the statement its grant prints in place of the secret reads in ${named}; keep its other actions`
    : `${narrowing.refused}: give them to the grant with --secret, then replace only the secret reads in ${named} with the statement it prints and keep its other actions`
  return {
    ...base,
    rule: verdict.rule,
    reason: `${entry.managed ?? reason}${holders}`,
    fix: {grant: multiple && grantCommands.length > 1 ? `give each environment its own role with: ${grantCommands.join('; ')}` : grantCommands.join('; '), change: entry.holders.length === 0 ? `${change} (fill in FUNCTION: no function of the file runs as ${named})` : change},
  }
}

/** The words for what a narrowing keeps and how it is written. */
function edited(narrowing: Extract<Narrowing, {edits: unknown}>): string {
  const kept = narrowing.kept.length > 0 ? `it keeps ${narrowing.kept.join(', ')}` : 'nothing else changes'
  return narrowing.denied ? `${kept}, beside a Deny on the other secret reads (the template change below)` : `${kept} (the template change below)`
}

const uniqueTargets = (targets: SecretTarget[]) => [...new Map(targets.map((target) => [JSON.stringify(target.resource), target])).values()]

/** The secrets an already scoped read statement of the role names by reference. */
function readTargets(item: StatementEntry): SecretTarget[] {
  if ((item.statement.Effect ?? '').toLowerCase() !== 'allow') return []
  const grants = secretReadGrants({Statement: [{...item.statement, Resource: '*'}]})
  return [...new Set(grants.flatMap((grant) => grant.resources.flatMap((resource) => resource.stores)))].flatMap((store) => referencedResources(item.written, store))
}

/** Deploy services: a role they assume runs deployments, not the application. */
const DEPLOY_SERVICES = /^(cloudformation|codebuild|codepipeline|codedeploy)\.amazonaws\.com$/
const WORKLOAD_SERVICES = /^(lambda|edgelambda|ecs-tasks)\.amazonaws\.com$/

/** Who a policy's role serves, from its trust policy: a workload (or unknown), a deployment, end users, another service. */
function roleAssumer(entry: PolicyEntry): {kind: 'workload'} | {kind: 'deploy' | 'end-users' | 'service'; by: string} {
  const by = entry.assumedBy ?? []
  if (entry.holders.length > 0 || by.length === 0 || by.some((name) => WORKLOAD_SERVICES.test(name))) return {kind: 'workload'}
  const deploy = by.filter((name) => DEPLOY_SERVICES.test(name))
  if (deploy.length > 0) return {kind: 'deploy', by: deploy.join(', ')}
  if (by.includes('cognito-identity.amazonaws.com')) return {kind: 'end-users', by: 'cognito-identity.amazonaws.com'}
  return {kind: 'service', by: by.join(', ')}
}

/** A role judged as a whole: its policies together across environments, and functions sharing it. */
function roleFindings(file: string, format: TemplateFormat, role: string, {grants, holders, spanned, position}: RoleGrants, keys: Readonly<Record<string, string>>): ScanFindingInput[] {
  const findings: ScanFindingInput[] = []
  const environments = grantEnvironments(grants)
  if (!spanned && environments.length > 1) {
    findings.push({
      file,
      format,
      ...position,
      rule: 'iam-role-spans-environments',
      resource: role,
      reason: `its policies together read secrets of ${environments.length} environments (${environments.join(', ')})`,
      fix: {
        grant: [...(holders.size > 0 ? holders : ['FUNCTION'])]
          .map((holder) => iamGrantFix(role, namedEnvironments(grantServices(grants), role), true, GRANT_FORMATS[format], holder, keys[holder]))
          .join('; '),
        change: `split ${role} into one role per environment${holders.size === 0 ? ` (fill in FUNCTION: no function of the file runs as ${role})` : ''}`,
      },
    })
  }

  if (holders.size > 1) {
    const names = [...holders].sort()
    const grant = names
      .map((name) => {
        const scope = guessScopeFromWorkload(name)
        return `secrets grant ${scope.env}/${scope.service} --function ${quoteArg(name)}${functionKeyFlag(name, keys[name])} --secret NAME --format ${GRANT_FORMATS[format]}`
      })
      .join('; ')
    findings.push({
      file,
      format,
      ...position,
      rule: 'iam-shared-role',
      resource: role,
      reason: `${names.length} functions (${names.join(', ')}) share it, so each can read the secrets of all`,
      fix: {grant, change: 'give each function its own role (or its own Policies) with only the statement its grant prints'},
    })
  }

  return findings
}
