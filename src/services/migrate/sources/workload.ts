import {Scope} from '../../../core/address.js'
import {quoteArg} from '../../../core/audit/fixes.js'
import {UsageError} from '../../../core/errors.js'
import {digestOf, mapDotenvKey, mapFunctionVariable, type Mapping, type SourceItem} from '../../../core/migration-plan.js'
import {byPathSegments} from '../../../core/order.js'
import {type PolicyFormat, TASK_FORMATS} from '../../../core/policy-renderers.js'
import {guessScopeFromWorkload} from '../../../core/workload-scope.js'
import type {EnvironmentSource} from '../../../stores/environment-source.js'
import type {ItemReport, MigrationRecipe, PlanInputs} from '../model.js'
import {leftItem, sortByName, takenByOnly} from '../read-source.js'
import type {Reading, SourceRequest} from './source.js'

/*
 * What a Lambda function's and an ECS task definition's environments share: the audit's rules decide
 * which variables are secrets, a variable becomes ENV/SERVICE/<VARIABLE>, and the run ends with the
 * grant and the variables to take out of the template.
 */

/**
 * A workload's variables: those the audit calls secrets are taken, the rest left in place, each with
 * the audit's reason; --only takes exactly the variables it names (VARIABLE, or CONTAINER/VARIABLE),
 * secret-looking or not, and saying what the audit would have decided.
 */
export async function readEnvironment(reading: Reading, environment: EnvironmentSource): Promise<void> {
  const {only, judge, scan} = reading
  if (!judge || !scan) throw new Error('readEnvironment needs the audit rules')
  const variables = await environment.variables({signal: reading.signal})
  const chosen = variables.filter((variable) => takenByOnly(reading, [variable.name, variable.variable]))
  reading.notSelected += variables.length - chosen.length
  const {classifyVariables} = await import('../../../core/audit/variables.js')
  const verdicts = await classifyVariables(chosen.map((variable) => ({name: variable.variable, value: variable.value.text ?? ''})), scan)
  for (const [index, variable] of chosen.entries()) {
    reading.onRead()
    const item: SourceItem = {name: variable.name, digest: digestOf(variable.value.bytes), byteLength: variable.value.byteLength}
    const verdict = verdicts[index]
    const why = judge.describeVerdict(verdict)
    if (only) item.selected = !judge.holdsSecret(verdict) ? `named by --only (the audit would leave it: ${why})` : why
    else if (!judge.holdsSecret(verdict)) {
      reading.extraItems.push(leftItem(item, why))
      continue
    } else item.selected = why

    reading.sources.push(item)
    reading.cache.keep(variable.name, variable.value)
  }

  sortByName(reading)
}

/**
 * A variable's secret: across every function (--all-functions --to ENV), /ENV/<service>/<VARIABLE>
 * with the service read off the function's name; else --to's scope and the variable's name (an ECS
 * item is CONTAINER/VARIABLE: the secret is named after the variable).
 */
export function variableMapping(inputs: PlanInputs): (item: SourceItem) => Mapping {
  return (item) => {
    if (inputs.toEnvironment !== undefined) return mapFunctionVariable(item.name, inputs.toEnvironment.env)
    return mapDotenvKey(item.name.slice(item.name.lastIndexOf('/') + 1), inputs.to as Scope)
  }
}

/** How a workload's recipes name it and its items. */
export interface RecipeShape {
  kind: 'lambda' | 'ecs'
  /** The workload (function or family) an item belongs to. */
  workloadOf(item: string): string
  /** The variable as the template names it. */
  variableOf(item: string): string
}

/**
 * What remains after a workload's variables were migrated, as commands and names, one recipe per
 * function (or task definition family): the one grant for all of its secrets that are in Secrets
 * Manager now (verified, or already there), and the variables to take out of its template. A task
 * definition family's grant is for its task role, with the module that reads the secrets at run time
 * (--task --runtime). Without --remove-from-source the live workload is never changed: its code must
 * read the secrets first, and editing live configuration would drift from the team's templates.
 */
export function workloadRecipes(shape: RecipeShape, inputs: PlanInputs, items: readonly ItemReport[]): MigrationRecipe[] {
  if (inputs.dryRun) return []
  const done = items.filter((report) => ['created', 'updated', 'unchanged'].includes(report.outcome) && report.verified !== false && report.target !== undefined)
  const byWorkload = new Map<string, ItemReport[]>()
  for (const report of done) {
    const workload = shape.workloadOf(report.source)
    byWorkload.set(workload, [...(byWorkload.get(workload) ?? []), report])
  }

  const task = shape.kind === 'ecs'
  return [...byWorkload]
    .sort(([a], [b]) => byPathSegments(a, b))
    .map(([workload, reports]) => {
      // A target is /<env>/<service>/<NAME>: every item of one workload lands in one scope.
      const target = reports[0].target as string
      const scope = target.slice(1, target.lastIndexOf('/'))
      const secrets = [...new Set(reports.map((report) => (report.target as string).slice(scope.length + 2)))].sort(byPathSegments)
      const grant = [
        'secrets grant',
        scope,
        `${task ? '--task' : '--function'} ${quoteArg(workload)}`,
        ...secrets.map((name) => `--secret ${quoteArg(name)}`),
        ...(inputs.recipeFormat ? [`--format ${taskFormat(inputs.recipeFormat, task)}`] : []),
        ...(task ? ['--runtime nodejs'] : []),
      ].join(' ')
      const variables = (removed: boolean) =>
        reports
          .filter((report) => Boolean(report.sourceDeleted) === removed)
          .map((report) => shape.variableOf(report.source))
          .sort(byPathSegments)
      return {kind: shape.kind, workload, grant, removeVariables: variables(false), ...(inputs.deleteSource ? {removedVariables: variables(true)} : {})}
    })
}

/** A task role's policy has no Serverless form: a task definition in serverless.yml's resources: is CloudFormation. */
function taskFormat(format: string, task: boolean): string {
  return task && !TASK_FORMATS.includes(format as PolicyFormat) ? 'cloudformation' : format
}

/** The fix named when two variables map to one secret. */
export const SEPARATE_COLLIDING = 'Migrate the colliding items separately, each with --only NAME and its own --to'

/** --format picks the grant a workload's run prints: the other sources refuse it. */
export function refuseGrantFormat(request: SourceRequest): void {
  if (request.format !== undefined) {
    throw new UsageError('--format is for --from-lambda and --from-ecs: it picks the format of the grant printed after the run.')
  }
}

/**
 * A workload's variables need --to: a function's name says nothing reliable about the environment and
 * service its secrets belong to (audit's guess is only a suggestion), and a wrong guess writes secrets
 * where nobody looks.
 */
export function workloadTarget(flag: string, name: string, request: SourceRequest): Scope {
  const to = request.to === undefined ? undefined : Scope.parse(request.to)
  if (to === undefined) {
    // The example is the scope audit's fix names for this workload (one rule, core/workload-scope.ts).
    const {env, service} = guessScopeFromWorkload(name)
    throw new UsageError(
      `${flag} needs --to ENV/SERVICE: the secrets of a workload's environment are named /<env>/<service>/<VARIABLE>.`,
      `For example: secrets migrate ${flag} ${quoteArg(name)} --to ${env}/${service}${env === 'ENV' || service === 'SERVICE' ? ' (fill in the placeholder)' : ''}`,
    )
  }

  if (request.type !== undefined) throw new UsageError(`--type is for SSM only; ${flag} takes what the audit calls a secret, or the variables named by --only.`)
  refuseRemoval(flag, request)
  return to
}

/** --delete-source is SSM's; --remove-from-source Lambda's; a task definition revision cannot be edited. */
export function refuseRemoval(flag: string, request: SourceRequest): void {
  if (request.deleteSource) {
    throw new UsageError(
      `--delete-source is for --from-ssm; ${flag} is never modified by it.`,
      flag === '--from-ecs' ? "Remove the migrated entries from its template's environment and read them at run time with the task role, as printed after the run." : 'To take the migrated variables out of the live function, use --remove-from-source.',
    )
  }

  if (request.removeFromSource && flag === '--from-ecs') {
    // A revision is immutable; a new one would change nothing until a service is redeployed on it,
    // and it would be a copy of every field of the old one made by this tool, outside the team's template.
    throw new UsageError(
      '--remove-from-source is for Lambda only: a task definition revision cannot be changed, and registering a new one would not reach running tasks until their service is redeployed on it.',
      'In the template, remove the migrated entries from the environment and let the application read them at run time with the task role (the grant printed after the run), and deploy it.',
    )
  }
}
