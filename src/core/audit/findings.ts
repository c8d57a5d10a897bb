import type {PolicyFix} from './fixes.js'
import {atOrAbove, compareSeverity, SEVERITIES, type Severity} from './severity.js'

/** The three mistakes `secrets audit` looks for; also the values of `--only`. */
export type AuditArea = 'env' | 'ssm' | 'iam'
export const AUDIT_AREAS: readonly AuditArea[] = ['env', 'ssm', 'iam']

/** What each area is called in human output, one heading per mistake. */
export const AREA_TITLES: Record<AuditArea, string> = {
  env: 'Secrets in environment variables',
  ssm: 'Secrets in Parameter Store',
  iam: 'IAM that reads more secrets than it needs',
}

/** Every rule the audit applies, with its mistake and severity. Ids are stable: `--json` consumers match on them. */
export const RULES = {
  'env-secret-value': {area: 'env', severity: 'high', title: 'value looks like a credential'},
  'env-secret-name': {area: 'env', severity: 'high', title: 'name says secret, value is not a reference'},
  'env-secret-slot': {area: 'env', severity: 'low', title: 'name says secret, value is a placeholder: built to carry a secret'},
  'ssm-plaintext-secret': {area: 'ssm', severity: 'high', title: 'secret stored unencrypted (String/StringList)'},
  'ssm-secure-string': {area: 'ssm', severity: 'medium', title: 'SecureString: move to Secrets Manager'},
  'iam-all-secrets': {area: 'iam', severity: 'high', title: 'can read every secret'},
  'iam-multiple-environments': {area: 'iam', severity: 'high', title: 'one policy reads secrets of several environments'},
  'iam-whole-environment': {area: 'iam', severity: 'medium', title: 'can read a whole environment'},
  'iam-role-spans-environments': {area: 'iam', severity: 'medium', title: 'role reads secrets of several environments'},
  'secret-policy-public': {area: 'iam', severity: 'high', title: "secret's resource policy lets anyone read it"},
  'secret-policy-other-account': {area: 'iam', severity: 'medium', title: "secret's resource policy lets another account read it"},
} as const satisfies Record<string, {area: AuditArea; severity: Severity; title: string}>

export type RuleId = keyof typeof RULES

export type ResourceType =
  | 'lambda-function'
  | 'ecs-task-definition'
  | 'ssm-parameter'
  | 'iam-managed-policy'
  | 'iam-role'
  | 'iam-user'
  | 'secretsmanager-secret'
  | 'iam-group'

/**
 * One mistake found. It names where (resource, item), why (rule, detail) and what to do (fix), and
 * never carries a value: details are built from names, rule ids and counts only.
 */
export interface Finding {
  area: AuditArea
  rule: RuleId
  severity: Severity
  resourceType: ResourceType
  /** The function, task definition (`family:revision`), parameter, policy ARN, role, user or group. */
  resource: string
  /** The variable (`container/NAME` for ECS), the parameter name, or the inline policy name. */
  item?: string
  /** Why, in words; names and counts only. */
  detail: string
  /** The `secrets` command(s) that fix it, with any manual step. */
  fix: string
  /** For a role's policy: the narrowed policy document and the `aws iam` command in `fix` that applies it. */
  policyFix?: PolicyFix
}

/** Part of the account the audit could not read, e.g. an API the caller may not call. */
export interface CoverageGap {
  area: AuditArea
  /** IAM action that failed, e.g. `lambda:ListFunctions`. */
  action: string
  /** The resource it failed on, when it was one resource of many. */
  resource?: string
  reason: string
}

export interface FindingCounts {
  high: number
  medium: number
  low: number
  total: number
}

/** Builds a finding from its rule, so area and severity always agree with the catalogue. */
export function finding(rule: RuleId, fields: Omit<Finding, 'area' | 'rule' | 'severity'>): Finding {
  const {area, severity} = RULES[rule]
  return {area, rule, severity, ...fields}
}

export function countFindings(findings: ReadonlyArray<Pick<Finding, 'severity'>>): FindingCounts {
  const counts: FindingCounts = {high: 0, medium: 0, low: 0, total: findings.length}
  for (const item of findings) counts[item.severity]++
  return counts
}

/** Most severe first, then by area, resource and item, so output is stable between runs. */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  const areaOrder = (area: AuditArea) => AUDIT_AREAS.indexOf(area)
  return [...findings].sort(
    (a, b) =>
      areaOrder(a.area) - areaOrder(b.area) ||
      compareSeverity(b.severity, a.severity) ||
      a.rule.localeCompare(b.rule) ||
      a.resource.localeCompare(b.resource) ||
      (a.item ?? '').localeCompare(b.item ?? ''),
  )
}

/** Findings by mistake, in area order, leaving out areas with none. */
export function groupByArea(findings: readonly Finding[]): Array<{area: AuditArea; findings: Finding[]}> {
  const sorted = sortFindings(findings)
  return AUDIT_AREAS.map((area) => ({area, findings: sorted.filter((item) => item.area === area)})).filter(
    (group) => group.findings.length > 0,
  )
}

/** The findings that make `--fail-on threshold` fail. */
export function findingsAtOrAbove(findings: readonly Finding[], threshold: Severity): Finding[] {
  return findings.filter((item) => atOrAbove(item.severity, threshold))
}

/** "2 high, 1 medium" (only non-zero severities), or "none". */
export function describeCounts(counts: FindingCounts): string {
  const parts = SEVERITIES.filter((severity) => counts[severity] > 0).map((severity) => `${counts[severity]} ${severity}`)
  return parts.length > 0 ? parts.join(', ') : 'none'
}
