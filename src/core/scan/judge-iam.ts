/**
 * The IAM rules: audit's policy verdicts (core/audit/iam.ts) per policy, then per role (two scoped
 * policies on one role can still span environments), and a role that reads secrets for several
 * functions. A policy read once per way its `Fn::If`s go is judged per reading; a finding that only
 * some readings give names the conditions they share.
 */
import {guessScopeFromWorkload, iamGrantFix, principalScopeFix, quoteArg} from '../audit/fixes.js'
import {
  decryptsEveryKey,
  describeVerdict,
  grantEnvironments,
  grantServices,
  judgePolicy,
  type PolicyVerdict,
  type SecretReadGrant,
  secretReadGrants,
} from '../audit/iam.js'
import {type Extracted, GRANT_FORMATS, namedEnvironments, type PolicyEntry} from './entries.js'
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

export function judgePolicies(file: string, {format, policies}: Extracted): ScanFinding[] {
  const judged: Judged[] = []
  for (const entry of policies) {
    const document = {Statement: entry.statements.map((item) => item.statement)}
    const grants = secretReadGrants(document)
    const verdict = judgePolicy(grants)
    if (verdict) judged.push({input: policyFinding(file, format, entry, grants, verdict, describeVerdict(verdict, decryptsEveryKey(document))), when: entry.when})
  }

  const byRole = new Map<string, PolicyEntry[]>()
  for (const entry of policies) if (entry.role !== undefined) byRole.set(entry.role, [...(byRole.get(entry.role) ?? []), entry])
  for (const [role, entries] of byRole) {
    const conditions = [...new Set(entries.flatMap((entry) => Object.keys(entry.when ?? {})))].slice(0, MAX_ROLE_CONDITIONS)
    for (const when of assignments(conditions)) {
      const together = roleGrants(entries.filter((entry) => agrees(entry.when, when)))
      if (together) judged.push(...roleFindings(file, format, role, together).map((input) => ({input, ...(conditions.length > 0 ? {when} : {})})))
    }
  }

  return merged(judged)
}

/** A role's policies in one reading, together. */
function roleGrants(entries: PolicyEntry[]): RoleGrants | undefined {
  let role: RoleGrants | undefined
  for (const entry of entries) {
    const grants = secretReadGrants({Statement: entry.statements.map((item) => item.statement)})
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

function policyFinding(file: string, format: TemplateFormat, entry: PolicyEntry, grants: SecretReadGrant[], verdict: PolicyVerdict, reason: string): ScanFindingInput {
  const principal = entry.holders.length === 1 ? entry.holders[0] : entry.resource
  const services = namedEnvironments(grantServices(grants), principal)
  const variable = entry.policy
  const multiple = verdict.rule === 'iam-multiple-environments'
  const held = entry.principals ?? []
  // A policy only users or groups hold has no function to grant to: its fix scopes the policy itself.
  const scopeOnly = entry.holders.length === 0 && held.length > 0
  const holders = held.length > 0 ? `; held by ${held.map((item) => `${item.kind} ${item.name}`).join(', ')}` : ''
  return {
    file,
    format,
    ...where(entry, multiple ? grants[0].resources[0].pattern : verdict.pattern),
    rule: verdict.rule,
    resource: entry.resource,
    ...(variable === undefined ? {} : {variable}),
    reason: `${entry.managed ?? reason}${holders}`,
    fix: scopeOnly
      ? {change: principalScopeFix(held, services, entry.managed === undefined ? undefined : entry.policy)}
      : {
          grant: iamGrantFix(principal, services, multiple, GRANT_FORMATS[format]),
          change: `replace the statement in ${entry.resource}${variable ? ` (${variable})` : ''} with the one the grant prints`,
        },
  }
}

/** A role judged as a whole: its policies together across environments, and functions sharing it. */
function roleFindings(file: string, format: TemplateFormat, role: string, {grants, holders, spanned, position}: RoleGrants): ScanFindingInput[] {
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
      fix: {grant: iamGrantFix(role, namedEnvironments(grantServices(grants), role), true, GRANT_FORMATS[format]), change: `split ${role} into one role per environment`},
    })
  }

  if (holders.size > 1) {
    const names = [...holders].sort()
    const grant = names
      .map((name) => {
        const scope = guessScopeFromWorkload(name)
        return `secrets grant ${scope.env}/${scope.service} --function ${quoteArg(name)} --secret NAME --format ${GRANT_FORMATS[format]}`
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
