import type {EnvironmentSource} from '../../../stores/environment-source.js'
import type {ParameterSource} from '../../../stores/ssm-source.js'

/**
 * The built-in sources by their plain data, as tests and scripts name them; `sourceOf` (sources/index.ts)
 * makes the object. A new source needs no entry here: its module's object is passed as it is.
 */
export type SourceSpec =
  | {kind: 'ssm'; path: string; parameters: ParameterSource}
  | {kind: 'dotenv'; file: string; text: string}
  | {kind: 'lambda' | 'ecs'; environment: EnvironmentSource}
