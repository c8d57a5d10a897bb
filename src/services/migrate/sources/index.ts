import {dotenvSource} from './dotenv.js'
import {ecsSource} from './ecs.js'
import {lambdaSource} from './lambda.js'
import type {MigrationSource} from './source.js'
import type {SourceSpec} from './spec.js'
import {ssmSource} from './ssm.js'

export {dotenvSource, dotenvTarget} from './dotenv.js'
export {ecsSource} from './ecs.js'
export {allFunctionsTarget, lambdaSource} from './lambda.js'
export type {MigrationSource, SourceRequest} from './source.js'
export {ssmSource, ssmTarget} from './ssm.js'
export {workloadTarget} from './workload.js'

/** The source object of `source`: an object is taken as it is, a built-in source's plain data made into its object. */
export function sourceOf(source: MigrationSource | SourceSpec): MigrationSource {
  if ('read' in source) return source
  switch (source.kind) {
    case 'ssm': {
      return ssmSource(source.path, source.parameters)
    }

    case 'dotenv': {
      return dotenvSource(source.file, source.text)
    }

    case 'lambda': {
      return lambdaSource(source.environment)
    }

    case 'ecs': {
      return ecsSource(source.environment)
    }
  }
}
