/**
 * The environments of Lambda functions and ECS task definitions, for `secrets audit`: their findings,
 * and which workloads run as each role (the map the IAM collector awaits, so that a role's fix is one
 * grant per workload).
 */
import {type CoverageGap, type Finding} from '../../core/audit/findings.js'
import {addRoleUser, type RoleUser} from '../../core/audit/fixes.js'
import {inspectLambdaFunction, inspectTaskDefinition} from '../../core/audit/inspect.js'
import {arnContext, environmentTargets} from '../../core/audit/workload-targets.js'
import type {SecretScanner} from '../../core/audit/variables.js'
import type {EcsReader, LambdaFunctionEnvironment, LambdaReader} from '../../core/readers.js'
import {guarded, guardedPages} from './guarded.js'
import type {Collected, Limit, Progress} from './types.js'

/** Every function's `$LATEST` environment, from ListFunctions alone (it returns the variables). */
export async function collectLambda(reader: LambdaReader, scan: SecretScanner, progress: Progress, roleUsers?: Map<string, RoleUser[]>): Promise<Collected> {
  const gaps: CoverageGap[] = []
  const findings: Finding[] = []
  let count = 0
  const pages = guardedPages(gaps, {area: 'env', action: 'lambda:ListFunctions'}, reader.functions(), () => progress(`Reading Lambda functions (${count} so far)`))
  for await (const page of pages) {
    for (const fn of page) {
      count++
      const found = await inspectFunction(fn, scan, gaps)
      findings.push(...found)
      if (fn.role) {
        // The secrets its environment names are what the role's narrowed policy keeps; a name is an ARN in the function's own region and account.
        const targets = environmentTargets(fn.variables, arnContext(fn.arn ?? fn.role), `function ${fn.name}`)
        addRoleUser(roleUsers, fn.role, {kind: 'lambda', name: fn.name, secrets: found.flatMap((item) => (item.item ? [item.item] : [])), targets})
      }
    }
  }

  return {findings, gaps, inspected: {lambdaFunctions: count}}
}

async function inspectFunction(fn: LambdaFunctionEnvironment, scan: SecretScanner, gaps: CoverageGap[]): Promise<Finding[]> {
  if (fn.environmentError !== undefined) {
    gaps.push({area: 'env', action: 'kms:Decrypt', resource: fn.name, reason: `environment not readable (${fn.environmentError})`})
    return []
  }

  return inspectLambdaFunction({name: fn.name, variables: fn.variables, runtime: fn.runtime}, scan)
}

/** The latest ACTIVE revision of every task definition family, `environment` entries only. */
export async function collectEcs(reader: EcsReader, scan: SecretScanner, limit: Limit, progress: Progress, roleUsers?: Map<string, RoleUser[]>): Promise<Collected> {
  const gaps: CoverageGap[] = []
  const families: string[] = []
  for await (const page of guardedPages(gaps, {area: 'env', action: 'ecs:ListTaskDefinitionFamilies'}, reader.families())) families.push(...page)

  let described = 0
  const definitions = await Promise.all(
    families.map((family) =>
      limit(async () => {
        progress(`Reading ECS task definitions (${described}/${families.length})`)
        const definition = await guarded(gaps, {area: 'env', action: 'ecs:DescribeTaskDefinition', resource: family}, () => reader.latest(family))
        described++
        return definition
      }),
    ),
  )
  const findings: Finding[] = []
  let count = 0
  for (const definition of definitions) {
    if (definition === undefined) continue
    count++
    const found = await inspectTaskDefinition(definition, scan)
    findings.push(...found)
    const secrets = found.flatMap((item) => (item.item ? [item.item.slice(item.item.indexOf('/') + 1)] : []))
    if (definition.taskRoleArn) {
      // The role's ARN gives the account; a task definition runs in any region, so a name is an ARN in every region.
      const variables = Object.fromEntries(definition.containers.flatMap((container) => container.environment.flatMap((entry) => (entry.name === undefined ? [] : [[entry.name, entry.value ?? '']]))))
      const targets = environmentTargets(variables, {...arnContext(definition.taskRoleArn), region: '*'}, `task definition ${definition.family}`)
      addRoleUser(roleUsers, definition.taskRoleArn, {kind: 'ecs', name: definition.family, secrets, targets})
    }
  }

  return {findings, gaps, inspected: {ecsTaskDefinitions: count}}
}
