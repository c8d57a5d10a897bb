import {partProblem} from '../../../core/address.js'
import {UsageError} from '../../../core/errors.js'
import {mapDotenvKey, mapFunctionVariable, type SourceWords} from '../../../core/migration-plan.js'
import type {EnvironmentSource} from '../../../stores/environment-source.js'
import {functionVariable, removeMigratedVariables} from '../remove-from-function.js'
import {cleanTagValue, taggedSecretExists} from '../tags.js'
import type {MigrationSource, SourceRequest, VerifiedRemoval} from './source.js'
import {readEnvironment, refuseRemoval, SEPARATE_COLLIDING, variableMapping, workloadRecipes} from './workload.js'

/*
 * A Lambda function's environment (--from-lambda), or every function's (--all-functions, items named
 * FUNCTION/VARIABLE). --remove-from-source takes the migrated variables out of the live function once
 * every secret verified.
 */

/** A function's variable is removed, not deleted: the function itself stays. */
const WORDS: SourceWords = {noun: 'variable', deleted: 'removed', toDelete: 'to remove', kept: 'kept'}

/** The variables of the function (or functions) `environment` reads; it edits them when it has an editor. */
export function lambdaSource(environment: EnvironmentSource): MigrationSource {
  const tagName = (item: string) => {
    const {fn, variable} = functionVariable(environment, item)
    return `${fn}:${variable}`
  }

  return {
    kind: 'lambda',
    name: environment.name,
    words: WORDS,
    judgedAlways: true,
    planOrder: 'name',
    read: (reading) => readEnvironment(reading, environment),
    targetMapping: variableMapping,
    tagName,
    removal: removal(environment),
    unmatched: {
      what: 'environment variable in function',
      hint: `--only takes a variable name exactly as written (case matters). List them with: aws lambda get-function-configuration --function-name ${environment.name} --query 'keys(Environment.Variables)'`,
    },
    // The secret this run would write for the variable exists, tagged as migrated from that function's
    // variable: an earlier run moved it and --remove-from-source (or a person) took it out of the function.
    async migratedEarlier(store, inputs, name) {
      const mapping = inputs.toEnvironment ? mapFunctionVariable(name, inputs.toEnvironment.env) : inputs.to ? mapDotenvKey(name, inputs.to) : undefined
      if (mapping?.state !== 'mapped' || (environment.many && !name.includes('/'))) return false
      return taggedSecretExists(store, mapping.target, 'lambda', cleanTagValue(tagName(name)))
    },
    migratedEarlierWhere: `no longer in ${environment.name}`,
    recipes: (inputs, items) =>
      workloadRecipes(
        {kind: 'lambda', workloadOf: (item) => functionVariable(environment, item).fn, variableOf: (item) => (environment.many ? functionVariable(environment, item).variable : item)},
        inputs,
        items,
      ),
    manyWorkloads: Boolean(environment.many),
    collisionFix: () => SEPARATE_COLLIDING,
  }
}

/** --remove-from-source: the function re-read, the verified variables taken out under its RevisionId. */
function removal(environment: EnvironmentSource): VerifiedRemoval {
  const functions = environment.many ? 'their functions' : `function ${environment.name}`
  return {
    async remove(run, working) {
      // Without an editor (a dry run, or no --remove-from-source) the function is never changed.
      if (!environment.editor) return {}
      return removeMigratedVariables({store: run.store, source: environment, editor: environment.editor, tracker: run.tracker, confirm: run.confirm}, working)
    },
    planLine: (count, dryRun) =>
      `\n${dryRun ? 'Would remove' : 'Will remove'} ${count} variable${count === 1 ? '' : 's'} from ${functions} (--remove-from-source), only once every secret verified equal; every other variable and setting stays:`,
    question: (names) => `Remove ${names.join(', ')} from the environment of ${functions} now that ${names.length === 1 ? 'its secret' : 'their secrets'} verified? Every other variable stays.`,
    failedHint: (error) =>
      `Every item migrated and verified, but removing the variables from the function failed: ${error.message} ${error.hint ?? 'Run the same command again: it reads the function again and removes what is still there.'}`,
  }
}

/** --all-functions: --to ENV (one environment; each function's service is read off its name). */
export function allFunctionsTarget(request: SourceRequest): {env: string} {
  const env = request.to?.replace(/^\/+|\/+$/g, '')
  if (env === undefined || env.includes('/') || partProblem('environment', env) !== undefined) {
    throw new UsageError(
      "--all-functions needs --to ENV (an environment alone): each function's secrets go to /ENV/<function name, without its environment word>/VARIABLE.",
      'For example: secrets migrate --all-functions --prefix prod- --to prod --dry-run',
    )
  }

  if (request.type !== undefined) throw new UsageError('--type is for SSM only; --all-functions takes what the audit calls a secret, or the variables named by --only.')
  refuseRemoval('--all-functions', request)
  return {env}
}
