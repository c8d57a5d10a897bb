import {AccessDeniedError, NotFoundError} from '../core/errors.js'
import type {EcsReader, LambdaEnvironmentWriter, LambdaFunctionEnvironment, LambdaReader, LambdaTagReader} from '../core/readers.js'
import {SecretValue} from '../core/secret-value.js'

/**
 * One environment variable of a workload, as a migration reads it. `name` is what the plan shows and
 * --only matches: the variable for one Lambda function, `FUNCTION/VARIABLE` across every function
 * (--all-functions), `container/VARIABLE` for a task definition (two containers may each have one of
 * the same name).
 */
export interface EnvironmentVariable {
  name: string
  variable: string
  /** The function or task definition family it belongs to. */
  workload: string
  container?: string
  value: SecretValue
}

/** A function's variables as they are now, and the revision they were read at. */
export interface FunctionEnvironment {
  variables: Record<string, string>
  /** Absent only where the API gives none (never on AWS): then the function cannot be changed safely. */
  revisionId?: string
}

/**
 * What --remove-from-source needs of a Lambda source: read a function's variables again, and write
 * them back only if nothing changed in between.
 */
export interface FunctionEnvironmentEditor {
  current(fn: string): Promise<FunctionEnvironment>
  /** Rejects with ConflictError when the function is no longer at `revisionId` (nothing is changed then). */
  replace(fn: string, variables: Record<string, string>, revisionId: string): Promise<void>
}

/** What a migration needs from a workload's environment: one read of every variable (values stay in memory). */
export interface EnvironmentSource {
  /** `lambda` (a function's `$LATEST` configuration, or every function's) or `ecs` (the latest ACTIVE revision of a family). */
  readonly kind: 'lambda' | 'ecs'
  /** The function or family name, as given; for every function, a description of the selection. */
  readonly name: string
  /** True when the source spans many functions (--all-functions): item names are FUNCTION/VARIABLE. */
  readonly many?: boolean
  /** Lambda only: how --remove-from-source reads and writes a function's variables. */
  readonly editor?: FunctionEnvironmentEditor
  /**
   * Every variable, in the order AWS returns them; rejects with NotFoundError when there is no such
   * workload. An aborted `signal` stops the listing of every function (ListingStoppedError).
   */
  variables(options?: {signal?: AbortSignal}): Promise<EnvironmentVariable[]>
}

/** Reads and writes a function's variables over the Lambda ports. */
class LambdaEditor implements FunctionEnvironmentEditor {
  constructor(
    private readonly reader: LambdaReader,
    private readonly writer: LambdaEnvironmentWriter,
  ) {}

  async current(fn: string): Promise<FunctionEnvironment> {
    const configuration = await this.reader.configuration(fn)
    undecryptable(configuration)
    return {variables: configuration.variables, ...(configuration.revisionId ? {revisionId: configuration.revisionId} : {})}
  }

  replace(fn: string, variables: Record<string, string>, revisionId: string): Promise<void> {
    return this.writer.replaceVariables(fn, variables, revisionId)
  }
}

/**
 * Variables under a customer KMS key the caller may not use come back as an error, not as values:
 * migrating (or keeping) "no variables" would be a silent lie.
 */
function undecryptable(fn: LambdaFunctionEnvironment): void {
  if (fn.environmentError === undefined) return
  throw new AccessDeniedError(
    `The environment of ${fn.name} could not be read (${fn.environmentError}).`,
    "Allow kms:Decrypt on the function's KMS key for these credentials, then run the same command again.",
  )
}

const variablesOf = (fn: LambdaFunctionEnvironment, qualified: boolean): EnvironmentVariable[] =>
  Object.entries(fn.variables).map(([variable, value]) => ({
    name: qualified ? `${fn.name}/${variable}` : variable,
    variable,
    workload: fn.name,
    value: SecretValue.fromString(value),
  }))

/** A Lambda function's environment (GetFunctionConfiguration), over the LambdaReader port. */
export class LambdaEnvironmentSource implements EnvironmentSource {
  readonly kind = 'lambda'
  readonly editor?: FunctionEnvironmentEditor

  constructor(
    private readonly reader: LambdaReader,
    readonly name: string,
    writer?: LambdaEnvironmentWriter,
  ) {
    if (writer) this.editor = new LambdaEditor(reader, writer)
  }

  async variables(): Promise<EnvironmentVariable[]> {
    const fn = await this.reader.configuration(this.name)
    undecryptable(fn)
    return variablesOf(fn, false)
  }
}

/** Which functions --all-functions takes: a name prefix and tags (KEY=VALUE, all must match). */
export interface FunctionFilter {
  prefix?: string
  tags?: Record<string, string>
}

/** Every Lambda function of the region (ListFunctions), or those the filter selects. */
export class AllFunctionsEnvironmentSource implements EnvironmentSource {
  readonly kind = 'lambda'
  readonly many = true
  readonly name: string
  readonly editor?: FunctionEnvironmentEditor

  constructor(
    private readonly reader: LambdaReader & LambdaTagReader,
    private readonly filter: FunctionFilter,
    writer?: LambdaEnvironmentWriter,
  ) {
    const tags = Object.entries(filter.tags ?? {}).map(([key, value]) => `${key}=${value}`)
    this.name = ['every function', ...(filter.prefix ? [`named ${filter.prefix}*`] : []), ...(tags.length > 0 ? [`tagged ${tags.join(', ')}`] : [])].join(' ')
    if (writer) this.editor = new LambdaEditor(reader, writer)
  }

  async variables(options: {signal?: AbortSignal} = {}): Promise<EnvironmentVariable[]> {
    const chosen: EnvironmentVariable[] = []
    let matched = 0
    for await (const page of this.reader.functions(options)) {
      for (const fn of page) {
        if (this.filter.prefix !== undefined && !fn.name.startsWith(this.filter.prefix)) continue
        if (!(await this.tagged(fn))) continue
        undecryptable(fn)
        matched += 1
        chosen.push(...variablesOf(fn, true))
      }
    }

    // A filter that matches nothing is more likely a typo than an account with nothing to do.
    if (matched === 0) throw new NotFoundError(`No Lambda function in this account and region matches: ${this.name}.`, 'Check --prefix and --tag with: aws lambda list-functions --query "Functions[].FunctionName"')
    return chosen
  }

  /** True when the function carries every tag of the filter (one ListTags call, only when tags are asked for). */
  private async tagged(fn: LambdaFunctionEnvironment): Promise<boolean> {
    const wanted = Object.entries(this.filter.tags ?? {})
    if (wanted.length === 0) return true
    const tags = await this.reader.tags(fn.arn ?? fn.name)
    return wanted.every(([key, value]) => tags[key] === value)
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
    if (definition === undefined) {
      throw new NotFoundError(
        `Task definition family ${this.name} was not found, or has no ACTIVE revision (ecs:DescribeTaskDefinition).`,
        'See the families with an ACTIVE revision with: aws ecs list-task-definition-families --status ACTIVE',
      )
    }
    return definition.containers.flatMap((container) =>
      container.environment
        .filter((entry): entry is {name: string; value?: string} => entry.name !== undefined)
        .map((entry) => ({
          name: `${container.name}/${entry.name}`,
          variable: entry.name,
          workload: this.name,
          container: container.name,
          value: SecretValue.fromString(entry.value ?? ''),
        })),
    )
  }
}
