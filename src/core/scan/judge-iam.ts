/**
 * The IAM rules: audit's policy verdicts (core/audit/iam.ts) per policy, then per role (two scoped
 * policies on one role can still span environments), and a role that reads secrets for several
 * functions.
 */
import {guessScopeFromWorkload, iamGrantFix, quoteArg} from '../audit/fixes.js'
import {describeGrant, grantEnvironments, grantServices, judgePolicy, type PolicyVerdict, type SecretReadGrant, secretReadGrants} from '../audit/iam.js'
import {type Extracted, GRANT_FORMATS, namedEnvironments, type PolicyEntry} from './entries.js'
import {type ScanFinding, scanFinding, type TemplateFormat} from './findings.js'
import type {Position} from './tree.js'

interface RoleGrants {
  grants: SecretReadGrant[]
  holders: Set<string>
  /** Already reported for reaching every secret or several environments, by one of its policies. */
  spanned: boolean
  position: Position
}

export function judgePolicies(file: string, {format, policies}: Extracted): ScanFinding[] {
  const findings: ScanFinding[] = []
  const byRole = new Map<string, RoleGrants>()
  for (const entry of policies) {
    const grants = secretReadGrants({Statement: entry.statements.map((item) => item.statement)})
    const verdict = judgePolicy(grants)
    if (verdict) findings.push(policyFinding(file, format, entry, grants, verdict))
    if (grants.length > 0 && entry.role !== undefined) {
      const role = byRole.get(entry.role) ?? {grants: [], holders: new Set<string>(), spanned: false, position: where(entry, grants[0].resources[0].pattern)}
      role.grants.push(...grants)
      for (const holder of entry.holders) role.holders.add(holder)
      if (verdict && verdict.rule !== 'iam-whole-environment') role.spanned = true
      byRole.set(entry.role, role)
    }
  }

  for (const [role, grants] of byRole) findings.push(...roleFindings(file, format, role, grants))
  return findings
}

/** Where a resource pattern is written in the policy, or the policy's first statement. */
function where(entry: PolicyEntry, pattern: string): Position {
  for (const item of entry.statements) {
    const position = item.positions.get(pattern)
    if (position) return position
  }

  return entry.statements[0]?.position ?? entry.position
}

function policyFinding(file: string, format: TemplateFormat, entry: PolicyEntry, grants: SecretReadGrant[], verdict: PolicyVerdict): ScanFinding {
  const principal = entry.holders.length === 1 ? entry.holders[0] : entry.resource
  const services = namedEnvironments(grantServices(grants), principal)
  const variable = entry.policy
  const multiple = verdict.rule === 'iam-multiple-environments'
  return scanFinding({
    file,
    format,
    ...where(entry, multiple ? grants[0].resources[0].pattern : verdict.pattern),
    rule: verdict.rule,
    resource: entry.resource,
    ...(variable === undefined ? {} : {variable}),
    reason: multiple
      ? `reads secrets of ${verdict.environments.length} environments (${verdict.environments.join(', ')})`
      : describeGrant(verdict.grant, verdict.pattern),
    fix: {
      grant: iamGrantFix(principal, services, multiple, GRANT_FORMATS[format]),
      change: `replace the statement in ${entry.resource}${variable ? ` (${variable})` : ''} with the one the grant prints`,
    },
  })
}

/** A role judged as a whole: its policies together across environments, and functions sharing it. */
function roleFindings(file: string, format: TemplateFormat, role: string, {grants, holders, spanned, position}: RoleGrants): ScanFinding[] {
  const findings: ScanFinding[] = []
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
    const grant = names
      .map((name) => {
        const scope = guessScopeFromWorkload(name)
        return `secrets grant ${scope.env}/${scope.service} --function ${quoteArg(name)} --secret NAME --format ${GRANT_FORMATS[format]}`
      })
      .join('; ')
    findings.push(
      scanFinding({
        file,
        format,
        ...position,
        rule: 'iam-shared-role',
        resource: role,
        reason: `${names.length} functions (${names.join(', ')}) share it, so each can read the secrets of all`,
        fix: {grant, change: 'give each function its own role (or its own Policies) with only the statement its grant prints'},
      }),
    )
  }

  return findings
}
