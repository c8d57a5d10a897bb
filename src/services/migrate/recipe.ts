import {quoteArg} from '../../core/audit/fixes.js'
import {byPathSegments} from '../../core/order.js'
import type {MigrateOptions, MigrationRecipe, Working} from './types.js'

/**
 * What remains after a workload's variables were migrated, as commands and names: the one grant for
 * all of its secrets that are in Secrets Manager now (verified, or already there), and the variables
 * to take out of its template. The live function or task definition is never changed here: its code
 * must read the secrets first, and editing live configuration would drift from the team's templates.
 */
export function recipeOf(options: MigrateOptions, working: readonly Working[]): MigrationRecipe | undefined {
  const {source, to} = options
  if ((source.kind !== 'lambda' && source.kind !== 'ecs') || options.dryRun || to === undefined) return undefined
  const done = working.filter(({report}) => ['created', 'updated', 'unchanged'].includes(report.outcome) && report.verified !== false && report.target !== undefined)
  if (done.length === 0) return undefined
  const scope = to
  const secrets = [...new Set(done.map(({report}) => (report.target as string).slice(scope.prefix.length)))].sort(byPathSegments)
  const workload = source.environment.name
  const grant = [
    'secrets grant',
    scope.toString(),
    `--function ${quoteArg(workload)}`,
    ...secrets.map((name) => `--secret ${quoteArg(name)}`),
    ...(options.recipeFormat ? [`--format ${options.recipeFormat}`] : []),
  ].join(' ')
  return {kind: source.kind, workload, grant, removeVariables: done.map(({report}) => report.source).sort(byPathSegments)}
}
