import type {SourceWords} from '../../../core/migration-plan.js'
import type {EnvironmentSource} from '../../../stores/environment-source.js'
import type {MigrationSource} from './source.js'
import {readEnvironment, SEPARATE_COLLIDING, variableMapping, workloadRecipes} from './workload.js'

/*
 * An ECS task definition family's latest ACTIVE revision (--from-ecs), every container: its items are
 * CONTAINER/VARIABLE. A revision cannot be changed, so there is no removal: the recipe says what to
 * take out of the template.
 */

const WORDS: SourceWords = {noun: 'source', deleted: 'deleted', toDelete: 'to delete', kept: 'kept'}

/** The environment entries of the family `environment` reads. */
export function ecsSource(environment: EnvironmentSource): MigrationSource {
  const family = environment.name
  return {
    kind: 'ecs',
    name: family,
    words: WORDS,
    judgedAlways: true,
    planOrder: 'name',
    read: (reading) => readEnvironment(reading, environment),
    targetMapping: variableMapping,
    tagName: (item) => `${family}:${item}`,
    unmatched: {
      what: 'environment variable in the latest ACTIVE revision of',
      hint: `--only takes a variable name (VARIABLE, or CONTAINER/VARIABLE for one container). List them with: aws ecs describe-task-definition --task-definition ${family} --query 'taskDefinition.containerDefinitions[].environment[].name'`,
    },
    migratedEarlierWhere: `no longer in ${family}`,
    recipes: (inputs, items) => workloadRecipes({kind: 'ecs', workloadOf: () => family, variableOf: (item) => item}, inputs, items),
    collisionFix: () => SEPARATE_COLLIDING,
  }
}
