/**
 * `secrets audit`: reads the account (never writes) and hands what it read to the pure inspections in
 * core/audit. Each collector takes its own SDK client, so a test can deny one API and show that the
 * others still run. An AccessDenied becomes a coverage gap in the report; anything else (no
 * credentials, network, throttling after retries) stops the audit with its usual exit code, because a
 * report that silently skipped half the account would pass a pipeline gate it should not.
 */
import {
  DescribeTaskDefinitionCommand,
  type ECSClient,
  ListTaskDefinitionFamiliesCommand,
  type TaskDefinition,
} from '@aws-sdk/client-ecs'
import {GetAccountAuthorizationDetailsCommand, type IAMClient} from '@aws-sdk/client-iam'
import {type FunctionConfiguration, type LambdaClient, ListFunctionsCommand} from '@aws-sdk/client-lambda'
import {DescribeParametersCommand, GetParametersCommand, type ParameterMetadata, type SSMClient} from '@aws-sdk/client-ssm'
import pLimit from 'p-limit'

import {translateAwsError} from '../aws/errors.js'
import {AccessDeniedError} from '../core/errors.js'
import {type AuditArea, type CoverageGap, type Finding, sortFindings} from '../core/audit/findings.js'
import {
  type IamInput,
  inspectIam,
  inspectLambdaFunction,
  inspectParameters,
  inspectTaskDefinition,
  parameterNeedsValue,
} from '../core/audit/inspect.js'
import {scanManyForSecrets} from '../core/audit/secret-scan.js'
import type {SecretScanner} from '../core/audit/variables.js'

/** What was read: the denominator of "no findings". */
export interface AuditInspected {
  lambdaFunctions: number
  ecsTaskDefinitions: number
  ssmParameters: number
  iamManagedPolicies: number
  iamRoles: number
  iamUsers: number
}

export interface AuditReport {
  areas: AuditArea[]
  findings: Finding[]
  gaps: CoverageGap[]
  inspected: AuditInspected
}

export interface AuditClients {
  lambda?: LambdaClient
  ecs?: ECSClient
  ssm?: SSMClient
  iam?: IAMClient
}

export interface AuditOptions {
  areas: readonly AuditArea[]
  /** Defaults to secretlint's recommended preset. */
  scan?: SecretScanner
  /** Parallel DescribeTaskDefinition / GetParameters calls (default 8). */
  concurrency?: number
  /** Progress for a spinner: names of what is being read, never values. */
  onProgress?: (text: string) => void
}

/** What a collector hands back: its findings, its gaps, and how much it read. */
interface Collected {
  findings: Finding[]
  gaps: CoverageGap[]
  inspected: Partial<AuditInspected>
}

/** The API that must succeed for an area to count as inspected at all. */
const LISTING_ACTIONS: Record<AuditArea, string[]> = {
  env: ['lambda:ListFunctions', 'ecs:ListTaskDefinitionFamilies'],
  ssm: ['ssm:DescribeParameters'],
  iam: ['iam:GetAccountAuthorizationDetails'],
}

/** Runs the requested inspections; the areas run side by side, each with its own client. */
export async function runAudit(clients: AuditClients, options: AuditOptions): Promise<AuditReport> {
  const scan = options.scan ?? scanManyForSecrets
  const limit = pLimit(options.concurrency ?? 8)
  const progress = options.onProgress ?? (() => {})
  const runs: Array<Promise<Collected>> = []
  const want = (area: AuditArea) => options.areas.includes(area)
  if (want('env')) {
    if (clients.lambda) runs.push(collectLambda(clients.lambda, scan, progress))
    if (clients.ecs) runs.push(collectEcs(clients.ecs, scan, limit, progress))
  }

  if (want('ssm') && clients.ssm) runs.push(collectSsm(clients.ssm, scan, limit, progress))
  if (want('iam') && clients.iam) runs.push(collectIam(clients.iam, progress))

  const inspected: AuditInspected = {lambdaFunctions: 0, ecsTaskDefinitions: 0, ssmParameters: 0, iamManagedPolicies: 0, iamRoles: 0, iamUsers: 0}
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
 * Calls AWS; an AccessDenied is recorded as a gap and answered with `undefined`. Missing credentials
 * are not a gap: every call would fail the same way, so the audit stops (exit 5) instead.
 */
async function guarded<T>(gaps: CoverageGap[], gap: Omit<CoverageGap, 'reason'>, call: () => Promise<T>): Promise<T | undefined> {
  try {
    return await call()
  } catch (error) {
    const translated = translateAwsError(error, {action: gap.action, resource: gap.resource})
    const noCredentials = (error as Error)?.name === 'CredentialsProviderError'
    if (translated instanceof AccessDeniedError && !noCredentials) {
      gaps.push({...gap, reason: `access denied (${(error as Error)?.name ?? 'AccessDenied'})`})
      return undefined
    }

    throw translated
  }
}

/** Every function's `$LATEST` environment, from ListFunctions alone (it returns the variables). */
export async function collectLambda(client: LambdaClient, scan: SecretScanner, progress: (text: string) => void = () => {}): Promise<Collected> {
  const gaps: CoverageGap[] = []
  const findings: Finding[] = []
  let count = 0
  let marker: string | undefined
  do {
    progress(`Reading Lambda functions (${count} so far)`)
    const page = await guarded(gaps, {area: 'env', action: 'lambda:ListFunctions'}, () =>
      client.send(new ListFunctionsCommand({Marker: marker, MaxItems: 50})),
    )
    if (page === undefined) break
    for (const fn of page.Functions ?? []) {
      count++
      findings.push(...(await inspectFunction(fn, scan, gaps)))
    }

    marker = page.NextMarker
  } while (marker)

  return {findings, gaps, inspected: {lambdaFunctions: count}}
}

async function inspectFunction(fn: FunctionConfiguration, scan: SecretScanner, gaps: CoverageGap[]): Promise<Finding[]> {
  const name = fn.FunctionName ?? fn.FunctionArn ?? '?'
  if (fn.Environment?.Error) {
    // Variables encrypted with a customer KMS key come back as an error when the caller may not decrypt them.
    gaps.push({area: 'env', action: 'kms:Decrypt', resource: name, reason: `environment not readable (${fn.Environment.Error.ErrorCode ?? 'error'})`})
    return []
  }

  return inspectLambdaFunction({name, variables: fn.Environment?.Variables ?? {}}, scan)
}

/** The latest ACTIVE revision of every task definition family, `environment` entries only. */
export async function collectEcs(
  client: ECSClient,
  scan: SecretScanner,
  limit = pLimit(8),
  progress: (text: string) => void = () => {},
): Promise<Collected> {
  const gaps: CoverageGap[] = []
  const families: string[] = []
  let nextToken: string | undefined
  do {
    const page = await guarded(gaps, {area: 'env', action: 'ecs:ListTaskDefinitionFamilies'}, () =>
      client.send(new ListTaskDefinitionFamiliesCommand({status: 'ACTIVE', nextToken, maxResults: 100})),
    )
    if (page === undefined) break
    families.push(...(page.families ?? []))
    nextToken = page.nextToken
  } while (nextToken)

  let described = 0
  const definitions = await Promise.all(
    families.map((family) =>
      limit(async () => {
        progress(`Reading ECS task definitions (${described}/${families.length})`)
        // A family name alone resolves to its latest ACTIVE revision.
        const answer = await guarded(gaps, {area: 'env', action: 'ecs:DescribeTaskDefinition', resource: family}, () =>
          client.send(new DescribeTaskDefinitionCommand({taskDefinition: family})),
        )
        described++
        return answer?.taskDefinition
      }),
    ),
  )
  const findings: Finding[] = []
  let count = 0
  for (const definition of definitions) {
    if (definition === undefined) continue
    count++
    findings.push(...(await inspectTaskDefinition(toTaskDefinitionInput(definition), scan)))
  }

  return {findings, gaps, inspected: {ecsTaskDefinitions: count}}
}

function toTaskDefinitionInput(definition: TaskDefinition) {
  return {
    family: definition.family ?? '?',
    revision: definition.revision ?? 0,
    containers: (definition.containerDefinitions ?? []).map((container) => ({
      name: container.name ?? '?',
      environment: container.environment ?? [],
    })),
  }
}

/** SSM's limit on names per GetParameters call. */
const GET_PARAMETERS_BATCH = 10

/**
 * Types come from DescribeParameters. Values are read only for String and StringList parameters, and
 * never decrypted: a SecureString is a finding whatever it holds, so it is never read.
 */
export async function collectSsm(
  client: SSMClient,
  scan: SecretScanner,
  limit = pLimit(8),
  progress: (text: string) => void = () => {},
): Promise<Collected> {
  const gaps: CoverageGap[] = []
  const parameters: ParameterMetadata[] = []
  let nextToken: string | undefined
  do {
    progress(`Reading SSM parameters (${parameters.length} so far)`)
    const page = await guarded(gaps, {area: 'ssm', action: 'ssm:DescribeParameters'}, () =>
      client.send(new DescribeParametersCommand({NextToken: nextToken, MaxResults: 50})),
    )
    if (page === undefined) break
    parameters.push(...(page.Parameters ?? []))
    nextToken = page.NextToken
  } while (nextToken)

  const needValues = parameters.filter((parameter) => parameterNeedsValue({type: parameter.Type ?? ''}))
  const values = new Map<string, string>()
  const batches: string[][] = []
  for (let index = 0; index < needValues.length; index += GET_PARAMETERS_BATCH) {
    batches.push(needValues.slice(index, index + GET_PARAMETERS_BATCH).map((parameter) => parameter.Name ?? ''))
  }

  let denied = false
  await Promise.all(
    batches.map((names) =>
      limit(async () => {
        if (denied) return
        const answer = await guarded(gaps, {area: 'ssm', action: 'ssm:GetParameters'}, () =>
          client.send(new GetParametersCommand({Names: names, WithDecryption: false})),
        )
        if (answer === undefined) {
          denied = true
          return
        }

        for (const parameter of answer.Parameters ?? []) {
          if (parameter.Name !== undefined && parameter.Value !== undefined) values.set(parameter.Name, parameter.Value)
        }
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
    parameters.map((parameter) => ({name: parameter.Name ?? '', type: parameter.Type ?? 'String', value: values.get(parameter.Name ?? '')})),
    scan,
  )

  return {findings, gaps, inspected: {ssmParameters: parameters.length}}
}

/**
 * One paginated GetAccountAuthorizationDetails call returns every role, user and customer-managed
 * policy with their documents (URL-encoded), instead of a List/Get call per role and policy.
 */
export async function collectIam(client: IAMClient, progress: (text: string) => void = () => {}): Promise<Collected> {
  const gaps: CoverageGap[] = []
  const input: IamInput = {managedPolicies: [], roles: [], users: []}
  const attachments = new Map<string, string[]>()
  let marker: string | undefined
  let complete = true
  do {
    progress('Reading IAM policies')
    const page = await guarded(gaps, {area: 'iam', action: 'iam:GetAccountAuthorizationDetails'}, () =>
      client.send(new GetAccountAuthorizationDetailsCommand({Filter: ['Role', 'User', 'LocalManagedPolicy'], Marker: marker, MaxItems: 100})),
    )
    if (page === undefined) {
      complete = false
      break
    }

    for (const policy of page.Policies ?? []) {
      const version = policy.PolicyVersionList?.find((candidate) => candidate.IsDefaultVersion) ?? policy.PolicyVersionList?.[0]
      if (!policy.Arn || version?.Document === undefined) continue
      input.managedPolicies.push({arn: policy.Arn, name: policy.PolicyName ?? policy.Arn, document: version.Document, attachedTo: []})
    }

    for (const role of page.RoleDetailList ?? []) {
      const name = role.RoleName ?? '?'
      const attached = (role.AttachedManagedPolicies ?? []).map((policy) => policy.PolicyArn ?? '')
      for (const arn of attached) attachments.set(arn, [...(attachments.get(arn) ?? []), name])
      input.roles.push({
        name,
        inlinePolicies: (role.RolePolicyList ?? []).map((policy) => ({name: policy.PolicyName ?? '?', document: policy.PolicyDocument ?? '{}'})),
        attachedPolicyArns: attached,
      })
    }

    for (const user of page.UserDetailList ?? []) {
      const name = user.UserName ?? '?'
      for (const policy of user.AttachedManagedPolicies ?? []) {
        if (policy.PolicyArn) attachments.set(policy.PolicyArn, [...(attachments.get(policy.PolicyArn) ?? []), name])
      }

      input.users.push({
        name,
        inlinePolicies: (user.UserPolicyList ?? []).map((policy) => ({name: policy.PolicyName ?? '?', document: policy.PolicyDocument ?? '{}'})),
      })
    }

    marker = page.IsTruncated ? page.Marker : undefined
  } while (marker)

  if (!complete && input.roles.length === 0 && input.managedPolicies.length === 0 && input.users.length === 0) {
    return {findings: [], gaps, inspected: {}}
  }

  for (const policy of input.managedPolicies) policy.attachedTo = (attachments.get(policy.arn) ?? []).sort()
  const {findings, unreadable} = inspectIam(input)
  for (const entry of unreadable) gaps.push({area: 'iam', action: 'iam:GetAccountAuthorizationDetails', resource: entry.resource, reason: entry.reason})
  return {
    findings,
    gaps,
    inspected: {iamManagedPolicies: input.managedPolicies.length, iamRoles: input.roles.length, iamUsers: input.users.length},
  }
}
