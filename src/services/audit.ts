/**
 * `secrets audit`: reads the account (never writes) and hands what it read to the pure inspections in
 * core/audit. Each collector takes its own reader (src/core/readers.ts), so a test can deny one API
 * and show that the others still run. An AccessDenied becomes a coverage gap in the report; anything else (no
 * credentials, network, throttling after retries) stops the audit with its usual exit code, because a
 * report that silently skipped half the account would pass a pipeline gate it should not.
 * The environments' collectors, which also learn which workloads run as each role, are in audit/workloads.ts.
 */
import pLimit from 'p-limit'

import {inBatches} from '../core/batches.js'
import {type AuditArea, type CoverageGap, type Finding, sortFindings} from '../core/audit/findings.js'
import {inspectParameters, parameterNeedsValue} from '../core/audit/inspect.js'
import type {RoleUser} from '../core/audit/fixes.js'
import {type IamInput, inspectIam} from '../core/audit/inspect-iam.js'
import {scanManyForSecrets} from '../core/audit/secret-scan.js'
import type {SecretScanner} from '../core/audit/variables.js'
import {type AuditReaders, type IamReader, type ParameterSummary, SSM_VALUES_PER_READ, type SsmInventoryReader} from '../core/readers.js'
import {guarded, guardedPages} from './audit/guarded.js'
import type {AuditInspected, AuditOptions, AuditReport, Collected} from './audit/types.js'
import {collectSecretPolicies} from './audit/secret-policies.js'
import {collectEcs, collectLambda} from './audit/workloads.js'

export type {AuditInspected, AuditOptions, AuditReport} from './audit/types.js'

/** The API that must succeed for an area to count as inspected at all. */
const LISTING_ACTIONS: Record<AuditArea, string[]> = {
  env: ['lambda:ListFunctions', 'ecs:ListTaskDefinitionFamilies'],
  ssm: ['ssm:DescribeParameters'],
  iam: ['iam:GetAccountAuthorizationDetails'],
}

/** Every IAM action the audit calls, in the order of its areas: what an identity needs to run it whole. */
export const AUDIT_ACTIONS: readonly string[] = [
  'lambda:ListFunctions',
  'ecs:ListTaskDefinitionFamilies',
  'ecs:DescribeTaskDefinition',
  'ssm:DescribeParameters',
  'ssm:GetParameters',
  'iam:GetAccountAuthorizationDetails',
  'secretsmanager:ListSecrets',
  'secretsmanager:GetResourcePolicy',
]

/** Runs the requested inspections; the areas run side by side, each with its own client. */
export async function runAudit(readers: AuditReaders, options: AuditOptions): Promise<AuditReport> {
  const scan = options.scan ?? scanManyForSecrets
  const limit = pLimit(options.concurrency ?? 8)
  const progress = options.onProgress ?? (() => {})
  const runs: Array<Promise<Collected>> = []
  const want = (area: AuditArea) => options.areas.includes(area)
  // Which functions and task definitions run as each role, learnt while reading environments: a
  // role's fix is then one grant per workload (IAM's findings wait for it, its reads do not).
  const roleUsers = new Map<string, RoleUser[]>()
  const workloads: Array<Promise<Collected>> = []
  if (want('env') || want('iam')) {
    if (readers.lambda) workloads.push(collectLambda(readers.lambda, scan, progress, roleUsers))
    if (readers.ecs) workloads.push(collectEcs(readers.ecs, scan, limit, progress, roleUsers))
  }

  // With --only iam the environments are read for the role map alone: their findings are not reported.
  if (want('env')) runs.push(...workloads)
  const environments = Promise.allSettled(workloads).then(() => roleUsers)
  if (want('ssm') && readers.ssm) runs.push(collectSsm(readers.ssm, scan, limit, progress))
  if (want('iam') && readers.iam) runs.push(collectIam(readers.iam, progress, environments))
  if (want('iam') && readers.secretPolicies) runs.push(collectSecretPolicies(readers.secretPolicies, limit, progress))

  const inspected: AuditInspected = {lambdaFunctions: 0, ecsTaskDefinitions: 0, ssmParameters: 0, iamManagedPolicies: 0, iamRoles: 0, iamUsers: 0, iamGroups: 0, secrets: 0}
  const findings: Finding[] = []
  const gaps: CoverageGap[] = []
  for (const collected of await Promise.all(runs)) {
    findings.push(...collected.findings)
    gaps.push(...collected.gaps)
    for (const [key, count] of Object.entries(collected.inspected)) inspected[key as keyof AuditInspected] += count ?? 0
  }

  return {areas: [...options.areas], findings: sortFindings(findings), gaps, inspected}
}

/** True when every listing API of every requested area was denied: nothing at all was inspected. */
export function nothingInspected(report: AuditReport): boolean {
  const denied = new Set(report.gaps.filter((gap) => gap.resource === undefined).map((gap) => gap.action))
  return report.areas.every((area) => LISTING_ACTIONS[area].every((action) => denied.has(action)))
}
/**
 * Types come from DescribeParameters. Values are read only for String and StringList parameters, and
 * never decrypted: a SecureString is a finding whatever it holds, so it is never read.
 */
async function collectSsm(reader: SsmInventoryReader, scan: SecretScanner, limit = pLimit(8), progress: (text: string) => void = () => {}): Promise<Collected> {
  const gaps: CoverageGap[] = []
  const parameters: ParameterSummary[] = []
  const pages = guardedPages(gaps, {area: 'ssm', action: 'ssm:DescribeParameters'}, reader.parameters(), () => progress(`Reading SSM parameters (${parameters.length} so far)`))
  for await (const page of pages) parameters.push(...page)

  const needValues = parameters.filter((parameter) => parameterNeedsValue({type: parameter.type ?? ''}))
  const values = new Map<string, string>()
  const batches = inBatches(
    needValues.map((parameter) => parameter.name),
    SSM_VALUES_PER_READ,
  )
  let denied = false
  await Promise.all(
    batches.map((names) =>
      limit(async () => {
        if (denied) return
        const answer = await guarded(gaps, {area: 'ssm', action: 'ssm:GetParameters'}, () => reader.values(names))
        if (answer === undefined) {
          denied = true
          return
        }

        for (const [name, value] of answer) values.set(name, value)
      }),
    ),
  )
  // One gap for GetParameters, not one per batch: the same permission is missing for all of them.
  const seen = new Set<string>()
  for (let index = gaps.length - 1; index >= 0; index--) {
    const key = `${gaps[index].action}#${gaps[index].resource ?? ''}`
    if (seen.has(key)) gaps.splice(index, 1)
    seen.add(key)
  }

  // When values could not be read, String parameters are judged by their names alone.
  const findings = await inspectParameters(
    parameters.map((parameter) => ({name: parameter.name, type: parameter.type ?? 'String', value: values.get(parameter.name)})),
    scan,
  )

  return {findings, gaps, inspected: {ssmParameters: parameters.length}}
}

/**
 * Every role, user, group and customer-managed policy with their documents, and who holds each policy;
 * `roleUsers` (the workloads running as each role) is awaited only once the documents are read.
 */
async function collectIam(reader: IamReader, progress: (text: string) => void = () => {}, roleUsers?: Promise<ReadonlyMap<string, RoleUser[]>>): Promise<Collected> {
  const gaps: CoverageGap[] = []
  const groups: NonNullable<IamInput['groups']> = []
  const input: IamInput = {managedPolicies: [], roles: [], users: [], groups}
  const attachments = new Map<string, string[]>()
  const holds = (name: string, arns: readonly string[]) => {
    for (const arn of arns) attachments.set(arn, [...(attachments.get(arn) ?? []), name])
  }

  const pages = guardedPages(gaps, {area: 'iam', action: 'iam:GetAccountAuthorizationDetails'}, reader.authorizationDetails(), () => progress('Reading IAM policies'))
  for await (const page of pages) {
    for (const policy of page.managedPolicies) input.managedPolicies.push({...policy, attachedTo: []})
    for (const role of page.roles) {
      holds(role.name, role.attachedPolicyArns)
      input.roles.push({name: role.name, inlinePolicies: role.inlinePolicies, attachedPolicyArns: role.attachedPolicyArns})
    }

    for (const user of page.users) {
      holds(user.name, user.attachedPolicyArns)
      input.users.push({name: user.name, inlinePolicies: user.inlinePolicies, attachedPolicyArns: user.attachedPolicyArns, groups: user.groups})
    }

    for (const group of page.groups) {
      holds(group.name, group.attachedPolicyArns)
      groups.push(group)
    }
  }

  const complete = !gaps.some((gap) => gap.action === 'iam:GetAccountAuthorizationDetails' && gap.resource === undefined)
  if (!complete && input.roles.length === 0 && input.managedPolicies.length === 0 && input.users.length === 0 && groups.length === 0) {
    return {findings: [], gaps, inspected: {}}
  }

  for (const policy of input.managedPolicies) policy.attachedTo = (attachments.get(policy.arn) ?? []).sort()
  if (roleUsers) input.roleUsers = await roleUsers
  const {findings, unreadable} = inspectIam(input)
  for (const entry of unreadable) gaps.push({area: 'iam', action: 'iam:GetAccountAuthorizationDetails', resource: entry.resource, reason: entry.reason})
  return {
    findings,
    gaps,
    inspected: {iamManagedPolicies: input.managedPolicies.length, iamRoles: input.roles.length, iamUsers: input.users.length, iamGroups: groups.length},
  }
}
