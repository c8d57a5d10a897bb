/**
 * What `secrets scan` reports: audit's rules applied to what a template says, with the same ids and
 * severities where they mean the same thing, and the few only a template shows. A finding names
 * where a value is (file, line and column of the value), never the value.
 */
import {createHash} from 'node:crypto'

import {type AuditArea, RULES} from '../audit/findings.js'
import {atOrAbove, compareSeverity, type Severity} from '../audit/severity.js'
import type {FixEdit} from './narrow-policy.js'

/** Rules only a template shows. */
const SCAN_ONLY_RULES = {
  'env-resolved-secret': {
    area: 'env',
    severity: 'high',
    title: 'secret resolved into an environment variable at deploy time',
  },
  'iam-shared-role': {area: 'iam', severity: 'medium', title: 'one role reads secrets for several functions'},
  'iam-deploy-role-secrets': {area: 'iam', severity: 'medium', title: 'a deploy role reads secret values'},
} as const satisfies Record<string, {area: AuditArea; severity: Severity; title: string}>

/** The rules of scan: audit's (same id, same severity) and scan's own. */
export const SCAN_RULES = {
  'env-secret-value': RULES['env-secret-value'],
  'env-secret-name': RULES['env-secret-name'],
  'env-secret-slot': RULES['env-secret-slot'],
  'ssm-plaintext-secret': RULES['ssm-plaintext-secret'],
  'iam-all-secrets': RULES['iam-all-secrets'],
  'iam-multiple-environments': RULES['iam-multiple-environments'],
  'iam-whole-environment': RULES['iam-whole-environment'],
  'iam-role-spans-environments': RULES['iam-role-spans-environments'],
  'secret-policy-public': RULES['secret-policy-public'],
  'secret-policy-other-account': RULES['secret-policy-other-account'],
  ...SCAN_ONLY_RULES,
} as const

export type ScanRuleId = keyof typeof SCAN_RULES

/** Why each rule matters and what to do, for SARIF's rule help and `--help`. */
export const SCAN_RULE_HELP: Record<ScanRuleId, string> = {
  'env-secret-value':
    'A value with the shape of a credential is written into a function or container environment: it is readable by anyone who can read the function configuration or task definition, and it is committed. Store it with `secrets set`, remove it from the template, and let the function read it at run time (an ECS task with its task role, `secrets grant --task`: a container\'s `secrets` (valueFrom) would still put the value in its environment).',
  'env-secret-name':
    'A variable whose name says secret holds a literal, not a reference. Store the value with `secrets set` and pass the secret\'s name or ARN instead.',
  'env-secret-slot':
    'A variable whose name says secret holds a placeholder (`<api key>`, `changeme`, `AKIA...EXAMPLE`, empty): no secret is in the file, but the template is built to carry one in an environment variable, where it ends up in plain text in the configuration. Store the secret with `secrets set` and pass its name instead.',
  'ssm-plaintext-secret':
    'CloudFormation cannot create a SecureString: a parameter created by a template is plain text, and its value is in the template. Move it with `secrets migrate --from-ssm` or `secrets set`.',
  'iam-all-secrets':
    'The policy lets its holder read every secret of the account: Secrets Manager secrets, or SecureString parameters (ssm:GetParameter* returns them decrypted). Replace it with the statement `secrets grant` prints; a user or group is not a function, so scope its own statement to the secrets it reads.',
  'iam-multiple-environments':
    'One policy reads secrets of several environments: a function of one environment can read another\'s. Give each environment its own role with `secrets grant`.',
  'iam-whole-environment':
    'The policy reads every secret of an environment, across services. Scope it to the function\'s own secrets with `secrets grant`.',
  'iam-role-spans-environments':
    'The role\'s policies together read secrets of several environments. Give each environment its own role with `secrets grant`.',
  'secret-policy-public':
    'The secret\'s resource policy lets any principal (`*`, or everyone outside a NotPrincipal) read its value, with no Condition that limits who: any AWS account can read it. Name the principal that needs it, or add a Condition on aws:PrincipalOrgID or aws:PrincipalAccount; set BlockPublicPolicy so Secrets Manager refuses such a policy.',
  'secret-policy-other-account':
    'The secret\'s resource policy lets a whole other account read its value, with no Condition that limits who: every identity that account allows can read it. Name the role that needs it, or add a Condition on aws:PrincipalArn or aws:PrincipalOrgID. A literal account id counts as another account, since a template does not know the account it deploys to: use ${AWS::AccountId} or data.aws_caller_identity for your own.',
  'env-resolved-secret':
    'A dynamic reference, a deploy-time variable, a NoEcho or Parameter Store template parameter, or a secret the stack creates (`!GetAtt` of a client secret or access key) puts a secret\'s value into the function\'s configuration as plain text: the first mistake again, though it came from a secrets store or the stack. Pass the secret\'s name or ARN and read it at run time.',
  'iam-deploy-role-secrets':
    'A role that CloudFormation, CodeBuild, CodePipeline or CodeDeploy assumes reads every secret (or every secret of an environment): anyone who can start a deployment or change a build can read them. A deploy role creates and updates secrets; it reads a value only to resolve a dynamic reference, so scope its reads to those secrets, or take them out.',
  'iam-shared-role':
    'Several functions share one role that reads secrets, so each can read every secret any of them needs. Give each function its own role with `secrets grant`.',
}

/** The formats scan reads; each has its own `secrets grant --format`. */
export type TemplateFormat = 'cloudformation' | 'sam' | 'cdk' | 'serverless' | 'terraform' | 'ecs' | 'dotenv'

/** The fix: the command that stores the value, the grant that scopes the function, the change to the file. */
export interface ScanFix {
  /** `secrets set ...` or `secrets migrate ...`; absent when the value is already in a secrets store. */
  store?: string
  /** `secrets grant ... --format <the template's own>`. */
  grant?: string
  /** What to change in the file. */
  change: string
  /** The change as edits a tool can apply: a value (CloudFormation's JSON form) at a key path from the template's root, or a file's lines rewritten (Terraform). */
  edits?: FixEdit[]
}

/** One mistake in one file. Names and positions only: never a value, not even part of one. */
export interface ScanFinding {
  rule: ScanRuleId
  area: AuditArea
  severity: Severity
  /** As given on the command line or found by the walk, relative to the working directory. */
  file: string
  format: TemplateFormat
  /** 1-based line and column of the value (not of the resource). */
  line: number
  column: number
  /** Logical id, function or resource name. */
  resource: string
  /** The variable, parameter or policy statement. */
  variable?: string
  /** Why, in one line; names and counts only. */
  reason: string
  fix: ScanFix
  /**
   * Stable across commits (no line): rule, the file's path from the repository's top (git's work tree,
   * else the directory scanned), resource and variable; the same whatever path was typed and wherever
   * scan ran.
   */
  fingerprint: string
}

export type ScanFindingInput = Omit<ScanFinding, 'area' | 'severity' | 'fingerprint'>

/** Builds a finding from its rule, so area and severity always agree with the catalogue. */
export function scanFinding(fields: ScanFindingInput): ScanFinding {
  const {area, severity} = SCAN_RULES[fields.rule]
  return {...fields, area, severity, fingerprint: fingerprintOf(fields)}
}

/** A hash of what identifies a finding across commits: the line is left out, so an edit above it keeps it. */
export function fingerprintOf(fields: Pick<ScanFinding, 'rule' | 'file' | 'resource' | 'variable'>): string {
  const text = [fields.rule, fields.file.replaceAll('\\', '/'), fields.resource, fields.variable ?? ''].join('\u0000')
  return createHash('sha256').update(text).digest('hex').slice(0, 32)
}

/** The finding with its fingerprint computed on the file's path from the repository's top rather than as typed. */
export function fingerprintedFrom(finding: ScanFinding, pathFromTop: string): ScanFinding {
  return {...finding, fingerprint: fingerprintOf({...finding, file: pathFromTop})}
}

/**
 * Whether a baseline's fingerprints hold the finding: by its fingerprint, or by the one computed on the
 * path as typed, which is what a report written before fingerprints counted from the repository's top
 * holds (the same in the usual case, scan run at the top).
 */
export function inBaseline(finding: ScanFinding, fingerprints: ReadonlySet<string>): boolean {
  return fingerprints.has(finding.fingerprint) || fingerprints.has(fingerprintOf(finding))
}

/** By file, then line and column, then rule: the order of the text report. */
export function sortScanFindings(findings: readonly ScanFinding[]): ScanFinding[] {
  return [...findings].sort(
    (a, b) =>
      a.file.localeCompare(b.file) ||
      a.line - b.line ||
      a.column - b.column ||
      compareSeverity(b.severity, a.severity) ||
      a.rule.localeCompare(b.rule),
  )
}

/** The findings that make `--fail-on threshold` fail. */
export function scanFindingsAtOrAbove(findings: readonly ScanFinding[], threshold: Severity): ScanFinding[] {
  return findings.filter((item) => atOrAbove(item.severity, threshold))
}
