import {quoteArg} from '../../core/audit/fixes.js'
import {byPathSegments} from '../../core/order.js'
import {type PolicyFormat, TASK_FORMATS} from '../../core/policy-renderers.js'
import {functionVariable} from './remove-from-function.js'
import type {ItemReport, MigrateOptions, MigrationRecipe} from './types.js'

/**
 * What remains after a workload's variables were migrated, as commands and names, one recipe per
 * function (or task definition family): the one grant for all of its secrets that are in Secrets
 * Manager now (verified, or already there), and the variables to take out of its template. A task
 * definition family's grant is for its task role, with the module that reads the secrets at run time
 * (--task --runtime). Without
 * --remove-from-source the live workload is never changed: its code must read the secrets first, and
 * editing live configuration would drift from the team's templates.
 */
export function recipesOf(options: MigrateOptions, items: readonly ItemReport[]): MigrationRecipe[] {
  const {source} = options
  if ((source.kind !== 'lambda' && source.kind !== 'ecs') || options.dryRun) return []
  const environment = source.environment
  const done = items.filter((report) => ['created', 'updated', 'unchanged'].includes(report.outcome) && report.verified !== false && report.target !== undefined)
  const byWorkload = new Map<string, ItemReport[]>()
  for (const report of done) {
    const workload = source.kind === 'lambda' ? functionVariable(environment, report.source).fn : environment.name
    byWorkload.set(workload, [...(byWorkload.get(workload) ?? []), report])
  }

  return [...byWorkload]
    .sort(([a], [b]) => byPathSegments(a, b))
    .map(([workload, reports]) => {
      // A target is /<env>/<service>/<NAME>: every item of one workload lands in one scope.
      const target = reports[0].target as string
      const scope = target.slice(1, target.lastIndexOf('/'))
      const secrets = [...new Set(reports.map((report) => (report.target as string).slice(scope.length + 2)))].sort(byPathSegments)
      const task = source.kind === 'ecs'
      const grant = [
        'secrets grant',
        scope,
        `${task ? '--task' : '--function'} ${quoteArg(workload)}`,
        ...secrets.map((name) => `--secret ${quoteArg(name)}`),
        ...(options.recipeFormat ? [`--format ${taskFormat(options.recipeFormat, task)}`] : []),
        ...(task ? ['--runtime nodejs'] : []),
      ].join(' ')
      const variables = (removed: boolean) =>
        reports
          .filter((report) => Boolean(report.sourceDeleted) === removed)
          .map((report) => (environment.many ? functionVariable(environment, report.source).variable : report.source))
          .sort(byPathSegments)
      return {kind: source.kind, workload, grant, removeVariables: variables(false), ...(options.deleteSource ? {removedVariables: variables(true)} : {})}
    })
}

/** A task role's policy has no Serverless form: a task definition in serverless.yml's resources: is CloudFormation. */
function taskFormat(format: string, task: boolean): string {
  return task && !TASK_FORMATS.includes(format as PolicyFormat) ? 'cloudformation' : format
}
