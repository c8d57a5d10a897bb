/**
 * Turns the IAM policies the collectors read into findings: which policies, roles, users and groups
 * can read secrets of every environment, of several, or all of one. Pure: every input is plain data.
 */
import {awsManagedDocument, awsManagedReadAll, describeAwsManaged} from './aws-managed-policies.js'
import {finding, type Finding, type ResourceType} from './findings.js'
import {iamGrantFix, principalScopeFix, type RoleUser, roleUsersFix} from './fixes.js'
import {
  type DecryptAll,
  decryptsEveryKey,
  describeVerdict,
  grantEnvironments,
  grantServices,
  judgePolicy,
  parsePolicyDocument,
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
      return {grants: secretReadGrants(document), decrypt: decryptsEveryKey(document)}
    } catch (error) {
      unreadable.push({resource, reason: `policy ${policy.name} could not be parsed (${(error as Error).name})`})
      return {grants: []}
    }
  }

  const fixFor = (principal: string, services: ReturnType<typeof grantServices>, separate: boolean) => {
    const users = input.roleUsers?.get(principal) ?? []
    return users.length > 0 ? roleUsersFix(principal, services, users, separate) : iamGrantFix(principal, services, separate)
  }

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
    const item = findingForPolicy(reads, {resourceType: 'iam-managed-policy', resource: policy.arn, principal: policy.name, fix, held})
    if (item) {
      findings.push(item)
      if (item.rule !== 'iam-whole-environment') spanning.add(policy.arn)
    }
  }

  for (const role of input.roles) findings.push(...inspectRole(role, readsOf, managedGrants, spanning, fixFor))

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
}

function findingForPolicy({grants, decrypt}: Reads, {resourceType, resource, item, principal, fix, held = ''}: Where): Finding | undefined {
  const verdict = judgePolicy(grants)
  if (verdict === undefined) return undefined
  return finding(verdict.rule, {
    resourceType,
    resource,
    ...(item === undefined ? {} : {item}),
    detail: `${describeVerdict(verdict, decrypt)}${held}`,
    fix: fix(principal, grantServices(grants), verdict.rule === 'iam-multiple-environments'),
  })
}

/** The AWS managed policies attached to a role, user or group that read every secret, each named with why. */
function awsManagedFindings(
  resourceType: ResourceType,
  resource: string,
  arns: readonly string[],
  fix: (services: ReturnType<typeof grantServices>, managed: string) => string,
  held = '',
): Finding[] {
  return arns.flatMap((arn) => {
    const managed = awsManagedReadAll(arn)
    if (managed === undefined) return []
    const grants = secretReadGrants(parsePolicyDocument(awsManagedDocument(managed)))
    const verdict = judgePolicy(grants)
    if (verdict === undefined) return []
    return [finding(verdict.rule, {resourceType, resource, item: managed.name, detail: `${describeAwsManaged(managed)}${held}`, fix: fix(grantServices(grants), managed.name)})]
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
): Finding[] {
  const found: Finding[] = []
  const roleGrants: SecretReadGrant[] = []
  let roleSpanReported = false
  for (const policy of role.inlinePolicies) {
    const reads = readsOf(`role ${role.name}`, policy)
    roleGrants.push(...reads.grants)
    const item = findingForPolicy(reads, {resourceType: 'iam-role', resource: role.name, item: policy.name, principal: role.name, fix: fixFor})
    if (item) {
      found.push(item)
      if (item.rule !== 'iam-whole-environment') roleSpanReported = true
    }
  }

  const awsManaged = awsManagedFindings('iam-role', role.name, role.attachedPolicyArns, (services) => fixFor(role.name, services, false))
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
