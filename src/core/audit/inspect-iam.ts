/**
 * Turns the IAM policies the collectors read into findings: which policies, roles, users and groups
 * can read secrets of every environment, of several, or all of one. Pure: every input is plain data.
 */
import {awsManagedDocument, awsManagedReadAll, describeAwsManaged} from './aws-managed-policies.js'
import {finding, type Finding, type ResourceType} from './findings.js'
import {iamGrantFix, narrowedRoleFix, type PolicyFix, type PolicyHome, principalScopeFix, type RoleUser, roleUsersFix} from './fixes.js'
import {
  type DecryptAll,
  decryptsEveryKey,
  describeVerdict,
  grantEnvironments,
  grantServices,
  judgePolicy,
  parsePolicyDocument,
  type PolicyStatement,
  secretReadGrants,
  type SecretReadGrant,
} from './iam.js'

/** A policy document as IAM returns it, with who holds it. */
export interface PolicyInput {
  /** URL-encoded (or plain) JSON. */
  document: string
  /** Policy name (inline) or ARN (managed). */
  name: string
}

/** A user or group: not a function, so its fix scopes its policy instead of granting. */
type Principal = {kind: 'user' | 'group'; name: string}

export interface IamInput {
  /** Customer-managed policies, default version only, with the roles, users and groups they are attached to. */
  managedPolicies: Array<PolicyInput & {arn: string; attachedTo: string[]}>
  roles: Array<{name: string; inlinePolicies: PolicyInput[]; attachedPolicyArns: string[]}>
  /** `attachedPolicyArns` matter for AWS managed policies (judged by name); customer-managed ones are judged once, as policies. */
  users: Array<{name: string; inlinePolicies: PolicyInput[]; attachedPolicyArns?: string[]; groups?: string[]}>
  groups?: Array<{name: string; inlinePolicies: PolicyInput[]; attachedPolicyArns: string[]}>
  /** Role name -> the Lambda functions and task definitions that run as it (their fixes are one grant each). */
  roleUsers?: ReadonlyMap<string, readonly RoleUser[]>
}

export interface IamInspection {
  findings: Finding[]
  /** Documents that could not be parsed, by where they are; reported as coverage gaps. */
  unreadable: Array<{resource: string; reason: string}>
}

/** What one document allows: its secret reads, and kms:Decrypt on every key if it allows that too. */
interface Reads {
  grants: SecretReadGrant[]
  decrypt?: DecryptAll
  statements?: PolicyStatement[]
}

/**
 * Managed and inline policies are judged one document at a time; then each role is judged as a whole,
 * because two well-scoped policies on one role can still give it prod and staging. An AWS managed
 * policy that reads every secret is judged on each role, user or group it is attached to.
 */
export function inspectIam(input: IamInput): IamInspection {
  const findings: Finding[] = []
  const unreadable: IamInspection['unreadable'] = []
  const readsOf = (resource: string, policy: PolicyInput): Reads => {
    try {
      const document = parsePolicyDocument(policy.document)
      return {grants: secretReadGrants(document), decrypt: decryptsEveryKey(document), statements: document.Statement}
    } catch (error) {
      unreadable.push({resource, reason: `policy ${policy.name} could not be parsed (${(error as Error).name})`})
      return {grants: []}
    }
  }

  const fixFor = (principal: string, services: ReturnType<typeof grantServices>, separate: boolean) => {
    const users = input.roleUsers?.get(principal) ?? []
    return users.length > 0 ? roleUsersFix(principal, services, users, separate) : iamGrantFix(principal, services, separate)
  }

  // A role's own policy is narrowed in place, for the workloads that run as it.
  const narrowFor = (home: PolicyHome, statements: readonly PolicyStatement[] | undefined): Narrow | undefined =>
    statements === undefined ? undefined : () => narrowedRoleFix(home, statements, input.roleUsers?.get(home.role) ?? [])

  const groups = input.groups ?? []
  const members = membersOf(input.users)
  const managedGrants = new Map<string, SecretReadGrant[]>()
  /** Whether a policy was already reported for reaching all secrets or several environments. */
  const spanning = new Set<string>()

  for (const policy of input.managedPolicies) {
    const reads = readsOf(policy.arn, policy)
    managedGrants.set(policy.arn, reads.grants)
    const role = policy.attachedTo.find((name) => input.roles.some((candidate) => candidate.name === name && candidate.attachedPolicyArns.includes(policy.arn)))
    const principals: Principal[] = [
      ...input.users.filter((user) => user.attachedPolicyArns?.includes(policy.arn)).map((user) => ({kind: 'user' as const, name: user.name})),
      ...groups.filter((group) => group.attachedPolicyArns.includes(policy.arn)).map((group) => ({kind: 'group' as const, name: group.name})),
    ]
    // A role's workloads get a grant each; a policy only users or groups hold is scoped where it is.
    const fix: FixFor =
      role !== undefined || principals.length === 0
        ? (_, services, separate) => fixFor(role ?? policy.attachedTo[0] ?? policy.name, services, separate)
        : (_, services) => principalScopeFix(principals, services)
    const held = principals.length > 0 ? `; held by ${principals.map((item) => `${item.kind} ${item.name}`).join(', ')}` : ''
    // Only a policy one role holds alone is narrowed: another holder may read what this role does not.
    const sole = role !== undefined && principals.length === 0 && policy.attachedTo.length === 1
    const narrow = sole ? narrowFor({kind: 'customer-managed', role, policyArn: policy.arn}, reads.statements) : undefined
    const item = findingForPolicy(reads, {resourceType: 'iam-managed-policy', resource: policy.arn, principal: policy.name, fix, held, narrow})
    if (item) {
      findings.push(item)
      if (item.rule !== 'iam-whole-environment') spanning.add(policy.arn)
    }
  }

  for (const role of input.roles) findings.push(...inspectRole(role, readsOf, managedGrants, spanning, fixFor, narrowFor))

  for (const user of input.users) {
    const principal: Principal = {kind: 'user', name: user.name}
    for (const policy of user.inlinePolicies) {
      const item = findingForPolicy(readsOf(`user ${user.name}`, policy), {resourceType: 'iam-user', resource: user.name, item: policy.name, principal: user.name, fix: scopeFix(principal)})
      if (item) findings.push(item)
    }

    findings.push(...awsManagedFindings('iam-user', user.name, user.attachedPolicyArns ?? [], (services, managed) => principalScopeFix([principal], services, managed)))
  }

  for (const group of groups) {
    const principal: Principal = {kind: 'group', name: group.name}
    const held = (members.get(group.name) ?? []).length > 0 ? `; its members: ${(members.get(group.name) ?? []).join(', ')}` : ''
    for (const policy of group.inlinePolicies) {
      const item = findingForPolicy(readsOf(`group ${group.name}`, policy), {resourceType: 'iam-group', resource: group.name, item: policy.name, principal: group.name, fix: scopeFix(principal), held})
      if (item) findings.push(item)
    }

    findings.push(...awsManagedFindings('iam-group', group.name, group.attachedPolicyArns, (services, managed) => principalScopeFix([principal], services, managed), held))
  }

  return {findings, unreadable}
}

/** The fix of a principal's policy: one grant per workload running as the role, else per scope. */
type FixFor = (principal: string, services: ReturnType<typeof grantServices>, separate: boolean) => string

/** A role's policy narrowed in place (see narrowedRoleFix), or why it cannot be. */
type Narrow = () => {fix: string; policyFix: PolicyFix} | {refused: string}

const scopeFix =
  (principal: Principal): FixFor =>
  (_, services) =>
    principalScopeFix([principal], services)

/** Group name -> its members, sorted. */
function membersOf(users: IamInput['users']): Map<string, string[]> {
  const members = new Map<string, string[]>()
  for (const user of users) for (const group of user.groups ?? []) members.set(group, [...(members.get(group) ?? []), user.name].sort())
  return members
}

interface Where {
  resourceType: ResourceType
  resource: string
  item?: string
  /** The role, user or group the fix is for. */
  principal: string
  fix: FixFor
  /** Who else holds it, appended to the detail. */
  held?: string
  /** A role's policy: the fix narrows it in place, falling back to `fix` with the reason where it cannot. */
  narrow?: Narrow
}

function findingForPolicy({grants, decrypt}: Reads, {resourceType, resource, item, principal, fix, held = '', narrow}: Where): Finding | undefined {
  const verdict = judgePolicy(grants)
  if (verdict === undefined) return undefined
  return finding(verdict.rule, {
    resourceType,
    resource,
    ...(item === undefined ? {} : {item}),
    detail: `${describeVerdict(verdict, decrypt)}${held}`,
    ...narrowedOr(narrow, () => fix(principal, grantServices(grants), verdict.rule === 'iam-multiple-environments')),
  })
}

/** The narrowed fix, or the grant advice with the reason a narrowed one could not be written. */
function narrowedOr(narrow: Narrow | undefined, advice: () => string): {fix: string; policyFix?: PolicyFix} {
  const narrowed = narrow?.()
  if (narrowed === undefined) return {fix: advice()}
  return 'refused' in narrowed ? {fix: `${narrowed.refused}; ${advice()}`} : narrowed
}

/** The AWS managed policies attached to a role, user or group that read every secret, each named with why. */
function awsManagedFindings(
  resourceType: ResourceType,
  resource: string,
  arns: readonly string[],
  fix: (services: ReturnType<typeof grantServices>, managed: string) => string,
  held = '',
  role?: {denies: readonly PolicyStatement[]; narrow: (managed: string, statements: readonly PolicyStatement[]) => Narrow | undefined},
): Finding[] {
  return arns.flatMap((arn) => {
    const managed = awsManagedReadAll(arn)
    if (managed === undefined) return []
    const {Statement: statements} = parsePolicyDocument(awsManagedDocument(managed))
    // A Deny among the role's own policies fences what the managed policy allows (its fix writes one).
    const grants = secretReadGrants({Statement: [...statements, ...(role?.denies ?? [])]})
    const verdict = judgePolicy(grants)
    if (verdict === undefined) return []
    const narrow = role?.narrow(managed.name, statements)
    return [
      finding(verdict.rule, {resourceType, resource, item: managed.name, detail: `${describeAwsManaged(managed)}${held}`, ...narrowedOr(narrow, () => fix(grantServices(grants), managed.name))}),
    ]
  })
}

/**
 * A role's inline policies one by one, then the role as a whole: its inline and attached grants
 * together, unless one of its policies was already reported for spanning environments.
 */
function inspectRole(
  role: IamInput['roles'][number],
  readsOf: (resource: string, policy: PolicyInput) => Reads,
  managedGrants: ReadonlyMap<string, SecretReadGrant[]>,
  spanning: ReadonlySet<string>,
  fixFor: FixFor,
  narrowFor: (home: PolicyHome, statements: readonly PolicyStatement[] | undefined) => Narrow | undefined,
): Finding[] {
  const found: Finding[] = []
  const roleGrants: SecretReadGrant[] = []
  const denies: PolicyStatement[] = []
  let roleSpanReported = false
  for (const policy of role.inlinePolicies) {
    const reads = readsOf(`role ${role.name}`, policy)
    roleGrants.push(...reads.grants)
    denies.push(...(reads.statements ?? []).filter((statement) => (statement.Effect ?? '').toLowerCase() === 'deny'))
    const narrow = narrowFor({kind: 'inline', role: role.name, policyName: policy.name}, reads.statements)
    const item = findingForPolicy(reads, {resourceType: 'iam-role', resource: role.name, item: policy.name, principal: role.name, fix: fixFor, narrow})
    if (item) {
      found.push(item)
      if (item.rule !== 'iam-whole-environment') roleSpanReported = true
    }
  }

  const awsManaged = awsManagedFindings('iam-role', role.name, role.attachedPolicyArns, (services) => fixFor(role.name, services, false), '', {
    denies,
    narrow: (managed, statements) => narrowFor({kind: 'aws-managed', role: role.name, policyName: managed}, statements),
  })
  found.push(...awsManaged)
  if (awsManaged.length > 0) roleSpanReported = true
  for (const arn of role.attachedPolicyArns) {
    roleGrants.push(...(managedGrants.get(arn) ?? []))
    if (spanning.has(arn)) roleSpanReported = true
  }

  const environments = grantEnvironments(roleGrants)
  if (!roleSpanReported && environments.length > 1) {
    found.push(
      finding('iam-role-spans-environments', {
        resourceType: 'iam-role',
        resource: role.name,
        detail: `its policies together read secrets of ${environments.length} environments (${environments.join(', ')})`,
        fix: fixFor(role.name, grantServices(roleGrants), true),
      }),
    )
  }

  return found
}
