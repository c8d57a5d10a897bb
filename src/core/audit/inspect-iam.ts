/**
 * Turns the IAM policies the collectors read into findings: which policies, roles and users can read
 * secrets of every environment, of several, or all of one. Pure: every input is plain data.
 */
import {finding, type Finding} from './findings.js'
import {iamGrantFix, type RoleUser, roleUsersFix} from './fixes.js'
import {describeGrant, grantEnvironments, grantServices, judgePolicy, parsePolicyDocument, secretReadGrants, type SecretReadGrant} from './iam.js'

/** A policy document as IAM returns it, with who holds it. */
export interface PolicyInput {
  /** URL-encoded (or plain) JSON. */
  document: string
  /** Policy name (inline) or ARN (managed). */
  name: string
}

export interface IamInput {
  /** Customer-managed policies, default version only, with the roles and users they are attached to. */
  managedPolicies: Array<PolicyInput & {arn: string; attachedTo: string[]}>
  roles: Array<{name: string; inlinePolicies: PolicyInput[]; attachedPolicyArns: string[]}>
  users: Array<{name: string; inlinePolicies: PolicyInput[]}>
  /** Role name -> the Lambda functions and task definitions that run as it (their fixes are one grant each). */
  roleUsers?: ReadonlyMap<string, readonly RoleUser[]>
}

export interface IamInspection {
  findings: Finding[]
  /** Documents that could not be parsed, by where they are; reported as coverage gaps. */
  unreadable: Array<{resource: string; reason: string}>
}

/**
 * Managed and inline policies are judged one document at a time; then each role is judged as a whole,
 * because two well-scoped policies on one role can still give it prod and staging.
 */
export function inspectIam(input: IamInput): IamInspection {
  const findings: Finding[] = []
  const unreadable: IamInspection['unreadable'] = []
  const grantsOf = (resource: string, policy: PolicyInput): SecretReadGrant[] => {
    try {
      return secretReadGrants(parsePolicyDocument(policy.document))
    } catch (error) {
      unreadable.push({resource, reason: `policy ${policy.name} could not be parsed (${(error as Error).name})`})
      return []
    }
  }

  const fixFor = (principal: string, services: ReturnType<typeof grantServices>, separate: boolean) => {
    const users = input.roleUsers?.get(principal) ?? []
    return users.length > 0 ? roleUsersFix(principal, services, users, separate) : iamGrantFix(principal, services, separate)
  }

  const managedGrants = new Map<string, SecretReadGrant[]>()
  /** Whether a policy was already reported for reaching all secrets or several environments. */
  const spanning = new Set<string>()

  for (const policy of input.managedPolicies) {
    const grants = grantsOf(policy.arn, policy)
    managedGrants.set(policy.arn, grants)
    const principal = policy.attachedTo[0] ?? policy.name
    const item = findingForPolicy(grants, 'iam-managed-policy', policy.arn, undefined, principal, fixFor)
    if (item) {
      findings.push(item)
      if (item.rule !== 'iam-whole-environment') spanning.add(policy.arn)
    }
  }

  for (const role of input.roles) findings.push(...inspectRole(role, grantsOf, managedGrants, spanning, fixFor))

  for (const user of input.users) {
    for (const policy of user.inlinePolicies) {
      const item = findingForPolicy(grantsOf(`user ${user.name}`, policy), 'iam-user', user.name, policy.name, user.name, iamGrantFix)
      if (item) findings.push(item)
    }
  }

  return {findings, unreadable}
}

/** The fix of a principal's policy: one grant per workload running as the role, else per scope. */
type FixFor = (principal: string, services: ReturnType<typeof grantServices>, separate: boolean) => string

function findingForPolicy(
  grants: SecretReadGrant[],
  resourceType: 'iam-managed-policy' | 'iam-role' | 'iam-user',
  resource: string,
  item: string | undefined,
  principal: string,
  fixFor: FixFor,
): Finding | undefined {
  const verdict = judgePolicy(grants)
  if (verdict === undefined) return undefined
  const where = item === undefined ? {} : {item}
  const services = grantServices(grants)
  switch (verdict.rule) {
    case 'iam-all-secrets': {
      return finding(verdict.rule, {resourceType, resource, ...where, detail: describeGrant(verdict.grant, verdict.pattern), fix: fixFor(principal, services, false)})
    }

    case 'iam-multiple-environments': {
      return finding(verdict.rule, {
        resourceType,
        resource,
        ...where,
        detail: `reads secrets of ${verdict.environments.length} environments (${verdict.environments.join(', ')})`,
        fix: fixFor(principal, services, true),
      })
    }

    case 'iam-whole-environment': {
      return finding(verdict.rule, {resourceType, resource, ...where, detail: describeGrant(verdict.grant, verdict.pattern), fix: fixFor(principal, services, false)})
    }
  }
}

/**
 * A role's inline policies one by one, then the role as a whole: its inline and attached grants
 * together, unless one of its policies was already reported for spanning environments.
 */
function inspectRole(
  role: IamInput['roles'][number],
  grantsOf: (resource: string, policy: PolicyInput) => SecretReadGrant[],
  managedGrants: ReadonlyMap<string, SecretReadGrant[]>,
  spanning: ReadonlySet<string>,
  fixFor: FixFor,
): Finding[] {
  const found: Finding[] = []
  const roleGrants: SecretReadGrant[] = []
  let roleSpanReported = false
  for (const policy of role.inlinePolicies) {
    const grants = grantsOf(`role ${role.name}`, policy)
    roleGrants.push(...grants)
    const item = findingForPolicy(grants, 'iam-role', role.name, policy.name, role.name, fixFor)
    if (item) {
      found.push(item)
      if (item.rule !== 'iam-whole-environment') roleSpanReported = true
    }
  }

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
