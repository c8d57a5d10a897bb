import type {Scope} from '../../core/address.js'
import type {SecretScanner} from '../../core/audit/variables.js'
import type {CostEstimate} from '../../core/cost.js'
import type {SecretsError} from '../../core/errors.js'
import type {PlanItem, PlanState, TargetState} from '../../core/migration-plan.js'
import type {ConflictPolicy} from '../copy-pipeline.js'

/*
 * The data a migration's steps and its sources share: report lines, progress, the working state of
 * an item, and what a removal did. Plain types with no imports from the steps, so every step and
 * every source can use them without an import circle.
 */

/** How a run planned: streamed, or the whole listing first and why. */
export type Planning = {mode: 'streamed'} | {mode: 'whole'; why: string}

/** The plan beside its items: what --delete-source would delete, what was not selected, what it costs. */
export interface PlanSummary {
  /** How the run planned (an SSM run that writes): why it listed every parameter first. */
  planning?: Planning
  sourcesToDelete: readonly string[]
  notSelected: number
  cost: CostEstimate
  /** Items the plan writes that the audit's rules judge configuration, not secrets (asked with judgeConfiguration). */
  configuration?: readonly string[]
}

export type MigrationPhase = 'reading' | 'planned' | 'writing' | 'verifying' | 'deleting' | 'done'

export interface MigrationProgress {
  phase: MigrationPhase
  /** A streamed plan: the listing goes on, so toWrite counts the writes planned so far. */
  listing?: boolean
  read: number
  planned: number
  toWrite: number
  written: number
  verified: number
  failed: number
  deleted: number
}

/** What happened to one item; `planned` only in a dry run, `not-run` when the run stopped before it. */
export type ItemOutcome =
  | 'created'
  | 'updated'
  | 'unchanged'
  | 'planned'
  | 'skipped'
  | 'conflict'
  | 'collision'
  | 'unmapped'
  | 'invalid'
  | 'failed'
  | 'not-run'
  | 'left'

/** One line of the report. Names and outcomes only: never a value, nor a digest of one. */
export interface ItemReport {
  source: string
  line?: number
  type?: string
  target?: string
  plan: PlanState
  outcome: ItemOutcome
  reason?: string
  versionId?: string
  verified?: boolean
  sourceDeleted?: boolean
  /** Why --secrets-only took it: the audit's finding, in words. */
  selected?: string
  /** Why a source that --delete-source would have deleted was kept (it changed, the target did, or the user said no). */
  sourceKept?: string
}

/** The rest of a workload's migration, as commands and names (never values). */
export interface MigrationRecipe {
  kind: 'lambda' | 'ecs'
  /** The function or task definition family. */
  workload: string
  /** One `secrets grant` for every secret of the workload now in Secrets Manager. */
  grant: string
  /** The variables to remove from the workload's template (CONTAINER/VARIABLE for ECS) that are still in the workload. */
  removeVariables: string[]
  /** With --remove-from-source: the variables this run removed from the live function (its template still has them). */
  removedVariables?: string[]
}

/** One item as the steps carry it: its plan, its report line, and its target's state before the run. */
export interface Working {
  item: PlanItem
  report: ItemReport
  previous?: TargetState
}

/** Counts of the run and the callback that reports them (optionally moving to a new phase). */
export interface Tracker {
  progress: MigrationProgress
  emit: (phase?: MigrationPhase) => void
}

/** What the deletion step did, for the report. */
export interface DeletionResult {
  error?: SecretsError
  /** The user answered no at the prompt: every source kept. */
  declined?: boolean
  /** Sources kept because they, or their secrets, changed after they were read. */
  changed?: number
  /** Ctrl-C came while deleting: the batches not yet deleted were kept. */
  interrupted?: boolean
}

/**
 * Which items of the source a run takes; the rest are not touched (not written, never deleted).
 * Without any of these, every item is selected.
 */
export interface MigrationSelection {
  /**
   * Exact names (--only): an SSM parameter's name below the --from-ssm path (`SMTP_PASSWORD`,
   * `db/PASSWORD`) or its full name (`/prod/billing/SMTP_PASSWORD`); a .env key.
   */
  only?: readonly string[]
  /** SSM types to take (--type): String, StringList, SecureString. */
  types?: readonly string[]
  /** Take only what `secrets audit` would report as a secret (--secrets-only); the plan says why. */
  secretsOnly?: boolean
  /** The scanner behind --secrets-only; secretlint's recommended preset, as audit uses, by default. */
  scan?: SecretScanner
  /**
   * Without --secrets-only: still ask the audit's rules, take every item, and name in the plan those
   * they judge configuration (so a person at a terminal learns of --secrets-only before saying yes).
   */
  judgeConfiguration?: boolean
}

/** What a run is asked to do: the plan's inputs, the same at a terminal, in a pipeline and in a test. */
export interface PlanInputs {
  /** Target scope; required for .env, optional for SSM (then names must already be /<env>/<service>/<name>). */
  to?: Scope
  /**
   * --all-functions --to ENV: each function's secrets go to /ENV/<service>/, the service read off the
   * function's name as audit's fix reads it (see mapFunctionVariable).
   */
  toEnvironment?: {env: string}
  dryRun: boolean
  onConflict: ConflictPolicy
  kmsKeyId?: string
  description?: string
  /**
   * SSM (--delete-source): delete each parameter once its target verified equal. Lambda
   * (--remove-from-source): once every item verified, take the migrated variables out of each function.
   */
  deleteSource: boolean
  /** SSM only: name each secret after its segments below the path, joined (`queue/URL` -> `QUEUE_URL`), not its last segment. */
  flatten?: boolean
  /** Which items to take (--only, --type, --secrets-only); every item when absent. */
  select?: MigrationSelection
  concurrency: number
  /** Aborting stops new writes; writes in flight finish, are verified and reported. Abort with 'SIGTERM' as the reason to exit 143. */
  signal?: AbortSignal
  /**
   * Bytes of source values kept in memory between reading and writing. Past it, only names and
   * digests are kept and values are read again from SSM (10 a call) just before their write.
   */
  valueCacheBytes?: number
  /** Lambda and ECS: the template format the printed grant asks for (--format); grant's default when absent. */
  recipeFormat?: string
  /**
   * True when nobody reads the plan before the writes (a pipeline, --json): an SSM migration may then
   * write each page of the listing as it arrives, when nothing later in it could change what an
   * earlier item should do (see migrate/stream.ts).
   */
  streamPlan?: boolean
  /** The target environment's replica regions and price per secret, for the plan's cost estimate. */
  pricing?: {replicaRegions: number; pricePerSecret?: number}
}

/** How the terminal (or a test) follows and steers a run: questions and progress, never what it plans. */
export interface RunHooks {
  /**
   * Asked once, after the writes verified and before the first deletion, with the sources about to be
   * deleted; false keeps every source. Absent: the --delete-source flag was the decision (a pipeline).
   */
  confirmDeletion?: (sources: readonly string[]) => Promise<boolean>
  onProgress?: (progress: MigrationProgress) => void
  /** Called once, before the first write, with how the run plans (SSM sources, not on a dry run). */
  onPlanning?: (planning: Planning) => void
  /** Called with each warning about the source as it is read, before the plan (keys and lines, never values). */
  onWarning?: (warning: string) => void
  /** Called once with the plan, before anything is written (items as planned, names only); not called when the plan streams. */
  onPlan?: (items: readonly ItemReport[], plan: PlanSummary) => void
  /**
   * Asked once after the plan and before the first write (at a terminal, without --yes), with the
   * number of secrets to write; false writes nothing (the run stops as cancelled).
   */
  confirmWrites?: (writes: number) => Promise<boolean>
}
