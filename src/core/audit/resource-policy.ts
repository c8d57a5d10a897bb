/**
 * Whether a secret's resource policy opens it to readers outside the account. Pure: it takes the
 * policy document (as GetResourcePolicy returns it, or as a template writes it) and says which Allow
 * statements let anyone (`Principal: "*"`) or another account read the secret's value, with no
 * Condition that narrows who may.
 *
 * The actions are judged by iam.ts's own reading of a statement (secretReadGrants): a resource policy
 * applies to its one secret, so its `Resource` is taken as `*` there.
 */
import {finding, type Finding} from './findings.js'
import {quoteArg} from './fixes.js'
import {parsePolicyDocument, type PolicyStatement, secretReadGrants} from './iam.js'

/** A statement of a resource policy: an IAM statement with its principal. */
export interface ResourcePolicyStatement extends PolicyStatement {
  Principal?: unknown
  NotPrincipal?: unknown
}

/** One Allow statement that lets readers outside the account read the secret's value. */
export interface PolicyOpening {
  /** `public`: any principal at all; `other-account`: a named account that is not the secret's own. */
  kind: 'public' | 'other-account'
  /** The statement's Sid, or `#<index>` (1-based). */
  statement: string
  /** The action patterns that allow reading (`secretsmanager:GetSecretValue`, `*`, ...), or `NotAction`. */
  actions: string[]
  /** `*`, `NotPrincipal`, or the other accounts' ids. */
  principals: string[]
}

/**
 * Condition keys that limit who may use a statement (or from where). A statement with one of them,
 * under an operator that requires the key (not `...IfExists`, not a negation, not `Null`) and a value
 * other than `*`, is not open. Other keys (`aws:SecureTransport`, ...) leave it open.
 */
const LIMITING_KEYS = new Set(
  [
    'aws:PrincipalOrgID',
    'aws:PrincipalOrgPaths',
    'aws:PrincipalAccount',
    'aws:PrincipalArn',
    'aws:PrincipalServiceName',
    'aws:userid',
    'aws:SourceAccount',
    'aws:SourceArn',
    'aws:SourceOwner',
    'aws:SourceOrgID',
    'aws:SourceOrgPaths',
    'aws:SourceVpc',
    'aws:SourceVpce',
    'aws:SourceIp',
    'aws:VpcSourceIp',
  ].map((key) => key.toLowerCase()),
)

const asList = (value: unknown): unknown[] => (value === undefined ? [] : Array.isArray(value) ? value : [value])

/** True when the Condition limits who may use the statement (see LIMITING_KEYS). */
export function conditionLimitsWho(condition: unknown): boolean {
  if (typeof condition !== 'object' || condition === null) return false
  for (const [operator, keys] of Object.entries(condition)) {
    const bare = operator.replace(/^For(All|Any)Values:/i, '')
    if (/IfExists$/i.test(bare) || /Not/i.test(bare) || /^Null$/i.test(bare)) continue
    if (typeof keys !== 'object' || keys === null) continue
    for (const [key, values] of Object.entries(keys)) {
      if (!LIMITING_KEYS.has(key.toLowerCase())) continue
      const list = asList(values)
      if (list.length > 0 && list.some((value) => value !== '*')) return true
    }
  }

  return false
}

/**
 * The account an AWS principal names: a 12-digit id, or the id in an IAM or STS ARN; `*` for anyone;
 * undefined when it cannot be read (a template's expression, a malformed entry).
 */
export function principalAccount(principal: string): string | undefined {
  if (principal === '*') return '*'
  if (/^\d{12}$/.test(principal)) return principal
  const parts = principal.split(':')
  if (parts[0] === 'arn' && (parts[2] === 'iam' || parts[2] === 'sts') && /^\d{12}$/.test(parts[4] ?? '')) return parts[4]
  return undefined
}

/** The AWS principals of a `Principal` element: `"*"` is everyone; Service, Federated and CanonicalUser are left out. */
function awsPrincipals(principal: unknown): string[] {
  if (principal === '*') return ['*']
  if (typeof principal !== 'object' || principal === null || Array.isArray(principal)) return []
  const aws = Object.entries(principal).find(([type]) => type.toLowerCase() === 'aws')?.[1]
  return asList(aws).filter((item): item is string => typeof item === 'string')
}

/**
 * Every Allow statement that opens the secret: to anyone, or to an account other than `ownAccount`.
 * Without `ownAccount` (a template, where the deploying account is not known), every account written
 * as a literal id is taken as another account; an expression (`${AWS::AccountId}`, a variable) is not
 * judged.
 */
export function policyOpenings(statements: readonly ResourcePolicyStatement[], ownAccount?: string): PolicyOpening[] {
  const openings: PolicyOpening[] = []
  for (const [index, statement] of statements.entries()) {
    if (conditionLimitsWho(statement.Condition)) continue
    // A secret's policy grants only on that secret: its reads are Secrets Manager's, never Parameter Store's.
    const [grant] = secretReadGrants({Statement: [{Effect: statement.Effect, Action: statement.Action, NotAction: statement.NotAction, Resource: 'arn:aws:secretsmanager:*:*:secret:*'}]})
    if (grant === undefined) continue
    const name = statement.Sid ? statement.Sid : `#${index + 1}`
    if (statement.NotPrincipal !== undefined) {
      // Allow with NotPrincipal: every principal but those named.
      openings.push({kind: 'public', statement: name, actions: grant.actions, principals: ['NotPrincipal']})
      continue
    }

    const accounts = awsPrincipals(statement.Principal).map((principal) => principalAccount(principal))
    if (accounts.includes('*')) {
      openings.push({kind: 'public', statement: name, actions: grant.actions, principals: ['*']})
      continue
    }

    const others = [...new Set(accounts.filter((account): account is string => account !== undefined && account !== ownAccount))].sort()
    if (others.length > 0) openings.push({kind: 'other-account', statement: name, actions: grant.actions, principals: others})
  }

  return openings
}

/** `Allow secretsmanager:* to * (statement Open)`: principals and actions are policy text, never a value. */
export function describeOpening(opening: PolicyOpening): string {
  const to =
    opening.kind === 'public'
      ? opening.principals[0] === 'NotPrincipal'
        ? 'every principal outside its NotPrincipal'
        : 'any principal (*)'
      : `${opening.principals.length === 1 ? 'account' : 'accounts'} ${opening.principals.join(', ')}`
  return `Allow ${opening.actions.join(', ')} to ${to} (statement ${opening.statement}), with no Condition that limits who (aws:PrincipalOrgID, aws:PrincipalAccount, aws:SourceArn, ...)`
}

/** The change that closes an opening, in words shared by scan and audit. */
export function openingChange(opening: PolicyOpening): string {
  return opening.kind === 'public'
    ? `In statement ${opening.statement}, name the principal (a role ARN) instead of *, or add a Condition on aws:PrincipalOrgID (your organization) or aws:PrincipalAccount; or remove the statement.`
    : `In statement ${opening.statement}, name the role of account ${opening.principals.join(', ')} that reads the secret instead of the whole account, or add a Condition on aws:PrincipalArn or aws:PrincipalOrgID; or remove the statement if that account should not read it.`
}

/** A secret as audit read it: its name, and its resource policy's text when it has one. */
export interface SecretPolicyInput {
  name: string
  /** The secret's account (from its ARN): a principal of that account is not another account. */
  account?: string
  /** The policy document (JSON), as GetResourcePolicy returns it. */
  policy: string
}

/**
 * Audit's findings for the secrets' resource policies: one per secret and kind, naming the
 * statements. `ownAccount` stands for a secret's account where the input does not say it. A policy that cannot
 * be parsed is returned apart, for the report to name as not inspected.
 */
export function inspectSecretPolicies(secrets: readonly SecretPolicyInput[], ownAccount?: string): {findings: Finding[]; unreadable: string[]} {
  const findings: Finding[] = []
  const unreadable: string[] = []
  for (const secret of secrets) {
    let statements: ResourcePolicyStatement[]
    try {
      statements = parsePolicyDocument(secret.policy).Statement as ResourcePolicyStatement[]
    } catch {
      unreadable.push(secret.name)
      continue
    }

    const openings = policyOpenings(statements, secret.account ?? ownAccount)
    for (const kind of ['public', 'other-account'] as const) {
      const mine = openings.filter((opening) => opening.kind === kind)
      if (mine.length === 0) continue
      findings.push(
        finding(kind === 'public' ? 'secret-policy-public' : 'secret-policy-other-account', {
          resourceType: 'secretsmanager-secret',
          resource: secret.name,
          item: 'resource policy',
          detail: mine.map((opening) => describeOpening(opening)).join('; '),
          fix: secretPolicyFix(secret.name, mine),
        }),
      )
    }
  }

  return {findings, unreadable}
}

/**
 * The change, then the AWS CLI commands that apply it: the policy is rewritten from its current
 * text, put back with --block-public-policy (which refuses a policy that still opens the secret to
 * anyone), or deleted when no other account needs the secret.
 */
export function secretPolicyFix(name: string, openings: readonly PolicyOpening[]): string {
  const id = quoteArg(name)
  return [
    ...openings.map((opening) => openingChange(opening)),
    `Edit the policy from aws secretsmanager get-resource-policy --secret-id ${id} --query ResourcePolicy --output text > policy.json, then aws secretsmanager put-resource-policy --secret-id ${id} --block-public-policy --resource-policy file://policy.json`,
    `(or, when only this account reads it: aws secretsmanager delete-resource-policy --secret-id ${id})`,
  ].join(' ')
}
