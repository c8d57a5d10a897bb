import {AccessDeniedError, NotFoundError} from '../core/errors.js'
import type {EcsReader, LambdaReader} from '../core/readers.js'
import {SecretValue} from '../core/secret-value.js'

/**
 * One environment variable of a workload, as a migration reads it. `name` is what the plan shows and
 * --only matches: the variable for a Lambda function, `container/VARIABLE` for a task definition (two
 * containers may each have one of the same name).
 */
export interface EnvironmentVariable {
  name: string
  variable: string
  container?: string
  value: SecretValue
}

/** What a migration needs from a workload's environment: one read of every variable (values stay in memory). */
export interface EnvironmentSource {
  /** `lambda` (a function's `$LATEST` configuration) or `ecs` (the latest ACTIVE revision of a family). */
  readonly kind: 'lambda' | 'ecs'
  /** The function or family name, as given. */
  readonly name: string
  /** Every variable, in the order AWS returns them; rejects with NotFoundError when there is no such workload. */
  variables(): Promise<EnvironmentVariable[]>
}

/** A Lambda function's environment (GetFunctionConfiguration), over the LambdaReader port. */
export class LambdaEnvironmentSource implements EnvironmentSource {
  readonly kind = 'lambda'

  constructor(
    private readonly reader: LambdaReader,
    readonly name: string,
  ) {}

  async variables(): Promise<EnvironmentVariable[]> {
    const fn = await this.reader.configuration(this.name)
    // Variables under a customer KMS key the caller may not use come back as an error, not as values:
    // migrating "no variables" would be a silent lie.
    if (fn.environmentError !== undefined) {
      throw new AccessDeniedError(
        `The environment of ${this.name} could not be read (${fn.environmentError}).`,
        "Allow kms:Decrypt on the function's KMS key for these credentials, then run the same command again.",
      )
    }

    return Object.entries(fn.variables).map(([variable, value]) => ({name: variable, variable, value: SecretValue.fromString(value)}))
  }
}

/** Every container's `environment` of a task definition family's latest ACTIVE revision, over the EcsReader port. */
export class EcsEnvironmentSource implements EnvironmentSource {
  readonly kind = 'ecs'

  constructor(
    private readonly reader: EcsReader,
    readonly name: string,
  ) {}

  async variables(): Promise<EnvironmentVariable[]> {
    const definition = await this.reader.latest(this.name)
    if (definition === undefined) throw new NotFoundError(`Task definition family ${this.name} has no ACTIVE revision.`)
    return definition.containers.flatMap((container) =>
      container.environment
        .filter((entry): entry is {name: string; value?: string} => entry.name !== undefined)
        .map((entry) => ({name: `${container.name}/${entry.name}`, variable: entry.name, container: container.name, value: SecretValue.fromString(entry.value ?? '')})),
    )
  }
}
