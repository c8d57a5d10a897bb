import type {SecretScanner} from '../../../core/audit/variables.js'
import type {SecretsError} from '../../../core/errors.js'
import type {Mapping, PlanItem, SourceItem, SourceWords} from '../../../core/migration-plan.js'
import type {SecretValue} from '../../../core/secret-value.js'
import type {SecretStore} from '../../../stores/secret-store.js'
import type {DeletionResult, ItemReport, MigrationRecipe, PlanInputs, Tracker, Working} from '../model.js'
import type {ValueCache} from '../value-cache.js'

/*
 * Where `secrets migrate` reads from. Each kind (SSM, .env, a Lambda function's environment, an ECS
 * task definition's) is one module of this folder implementing `MigrationSource`; the steps (plan,
 * write, verify, remove, report) ask the source and never branch on its kind. A new source is one
 * module and one run of test/services/migrate-sources/contract.ts (docs/ARCHITECTURE.md shows one).
 */

/** What reading the source found, before any target is read. */
export interface ReadResult {
  sources: SourceItem[]
  /** Items reported but never written: .env lines dotenv cannot read, and items --secrets-only left. */
  extraItems: PlanItem[]
  /** Items --only or --type did not select: not in the plan, never touched. */
  notSelected: number
  /** The --only names that matched an item. */
  matchedOnly: Set<string>
  /** Items taken that the audit's rules judge configuration (judgeConfiguration without --secrets-only). */
  configuration: string[]
  /** What was read but may not be what the source meant (a .env value cut at a `#`): names and lines only. */
  warnings: string[]
}

/** The selection of one read (--only, --type, --secrets-only), and what the source has found so far. */
export interface Reading extends ReadResult {
  only?: Set<string>
  types?: Set<string>
  /** Whether the audit's rules leave what is not a secret (--secrets-only, a workload), or only name it. */
  leavesConfiguration: boolean
  /** --secrets-only was given. */
  secretsOnly: boolean
  /** The audit's rules, loaded only for --secrets-only, a workload, or judgeConfiguration. */
  judge?: typeof import('../../../core/audit/inspect.js')
  scan?: SecretScanner
  cache: ValueCache
  /** Called once per item read (the progress counts them). */
  onRead: () => void
  /** The run's signal: it stops the source's listing (ListingStoppedError, core/paging.ts). */
  signal?: AbortSignal
}

/** One page of a listing as the selection takes it: its sources with their values, and what it leaves. */
export interface SelectedPage {
  sources: SourceItem[]
  values: Map<string, SecretValue>
  extraItems: PlanItem[]
}

/**
 * A source whose listing comes in pages may write each page as it arrives, when nobody reads the
 * plan first and nothing later in the listing could change what an earlier item should do.
 */
export interface PagedListing {
  /** The pages as the selection takes them, in the service's order. */
  pages(reading: Reading): AsyncGenerator<SelectedPage>
  /** Why these inputs need every name before the first write; undefined when a streamed plan may run. */
  wholeListingReason(inputs: PlanInputs): string | undefined
  /** Where the secrets this source's items map to already live: the secrets the plan must compare with. */
  readonly targetPrefix: string
}

/** What a removal needs besides the items. */
export interface RemovalRun {
  store: SecretStore
  tracker: Tracker
  /** Asked once before the first removal, with the items' names; false keeps every source. */
  confirm?: (sources: readonly string[]) => Promise<boolean>
  signal?: AbortSignal
}

/**
 * Taking the migrated items out of the source once their secrets verified (--delete-source,
 * --remove-from-source): each source re-checks what it removes, and keeps what changed.
 */
export interface VerifiedRemoval {
  /** Removes what verified (and the user agreed to), recording on each item what happened to its source. */
  remove(run: RemovalRun, working: Working[]): Promise<DeletionResult>
  /** The plan's line before the list of what would be removed. */
  planLine(count: number, dryRun: boolean): string
  /** The question at a terminal before the first removal. */
  question(names: readonly string[]): string
  /** The next step when removing failed after every item migrated. */
  failedHint(error: SecretsError): string
}

/** What a re-run's --only name matched nothing in, and how to list what is there. */
export interface UnmatchedWords {
  /** `parameter under`, `key in`: followed by the source's name. */
  what: string
  hint: string
}

/**
 * What a run asks of its source beside its items, as given on the command line: each source module
 * refuses, with a usage error before any call, what it cannot take.
 */
export interface SourceRequest {
  /** --to as given. */
  to?: string
  /** --type. */
  type?: readonly string[]
  /** --delete-source. */
  deleteSource: boolean
  /** --remove-from-source. */
  removeFromSource: boolean
  /** --format (of the grant a workload's run prints). */
  format?: string
}

/** A source of a migration: what it holds, how its items are named in Secrets Manager, and how it is cleaned up. */
export interface MigrationSource {
  /** Written to the `secrets:migrated-from` tag and the report's `source.kind`. */
  readonly kind: string
  /** As the plan and the report name it: the SSM path, the .env file, the function or family. */
  readonly name: string
  /** How the summary counts the sources removed. */
  readonly words: SourceWords
  /** True when the audit's rules always decide what the source gives, not only with --secrets-only (a workload's environment is mostly configuration). */
  readonly judgedAlways: boolean
  /** The order of the plan: a file's by line (its skipped lines where they are), any other by name. */
  readonly planOrder: 'line' | 'name'
  /** Reads every item into `reading` as its selection takes it, offering values to `reading.cache`. */
  read(reading: Reading): Promise<void>
  /** Present when the listing comes in pages that a pipeline may write as they arrive. */
  readonly paged?: PagedListing
  /** How each item's secret is named. Every source names its own: there is no default. */
  targetMapping(inputs: PlanInputs): (item: SourceItem) => Mapping
  /** What the `secrets:source-name` tag says an item came from (cleaned to a tag value by the caller). */
  tagName(item: string): string
  /** Values read again just before their write, when the value cache let them go; absent when the cache keeps them all. */
  reread?(names: readonly string[]): Promise<Map<string, SecretValue>>
  /** Present when the source can take its migrated items out (SSM's --delete-source, Lambda's --remove-from-source). */
  readonly removal?: VerifiedRemoval
  /** Words of the error for an --only name that matched nothing. */
  readonly unmatched: UnmatchedWords
  /** True when an --only name that matched nothing was migrated by an earlier run (and removed from the source). */
  migratedEarlier?(store: SecretStore, inputs: PlanInputs, name: string): Promise<boolean>
  /** What a name migrated earlier now is: `the parameter deleted`, `no longer in FUNCTION`. */
  readonly migratedEarlierWhere: string
  /** The hint of a run that found nothing to take (or a NotFoundError); absent: the run reports an empty plan. */
  nothingFound?(store: SecretStore, inputs: PlanInputs, notSelected: number, migrated: readonly string[]): Promise<string>
  /** What is left to do after a run that moved something (a workload's grant and variables). */
  recipes?(inputs: PlanInputs, items: readonly ItemReport[]): MigrationRecipe[]
  /** True when the recipes are one per workload of many: the report then has no single `recipe`. */
  readonly manyWorkloads?: boolean
  /** The fix named when two items map to one secret. */
  collisionFix(inputs: PlanInputs): string
  /** The note of a run that exits 0 with nothing else to say (a .env file: delete it yourself). */
  finishedNote?(inputs: PlanInputs): string | undefined
}
