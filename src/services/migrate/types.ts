import type {ExitCodeValue} from '../../core/errors.js'
import type {CostEstimate} from '../../core/cost.js'
import type {ConflictPolicy} from '../copy-pipeline.js'
import type {ItemOutcome, ItemReport, MigrationRecipe, PlanInputs, Planning, RunHooks} from './model.js'
import type {MigrationSource} from './sources/source.js'
import type {SourceSpec} from './sources/spec.js'

/*
 * The types of `secrets migrate`: what the command passes in (the source, the plan's inputs, the
 * terminal's hooks) and what it gets back (the report). The working state the steps share is in
 * model.ts; the source's interface in sources/source.ts.
 */

export type {ConflictPolicy} from '../copy-pipeline.js'
export type {
  DeletionResult,
  ItemOutcome,
  ItemReport,
  MigrationPhase,
  MigrationProgress,
  MigrationRecipe,
  MigrationSelection,
  PlanInputs,
  PlanSummary,
  Planning,
  RunHooks,
  Tracker,
  Working,
} from './model.js'
export type {MigrationSource} from './sources/source.js'
export type {SourceSpec} from './sources/spec.js'

/**
 * What `migrate` is given: a source (an object of sources/, or a built-in source by its plain data),
 * the plan's inputs and the terminal's hooks.
 */
export type MigrateOptions = {source: MigrationSource | SourceSpec} & PlanInputs & RunHooks

/** A run's options once its source is an object: what `migrate` holds, hooks included. */
export type RunOptions = RunInputs & RunHooks

/** What every step is handed: the source and the plan's inputs, never the terminal's hooks (migrate.ts calls those). */
export type RunInputs = {source: MigrationSource} & PlanInputs

export interface MigrationReport {
  source: {kind: string; name: string}
  to?: string
  dryRun: boolean
  onConflict: ConflictPolicy
  deleteSource: boolean
  interrupted: boolean
  items: ItemReport[]
  /**
   * With --delete-source: every source the plan would delete once its secret verifies (all of them
   * are listed in the plan and the dry run before anything happens).
   */
  sourcesToDelete: string[]
  totals: Record<ItemOutcome, number> & {items: number; sourcesDeleted: number; sourcesKept: number; notSelected: number}
  /** An SSM run that writes: whether each page was written as it was listed, or why every name was listed first. */
  planning?: Planning
  /**
   * 0 when every item is created, updated, unchanged, skipped or left (or, in a dry run, would be),
   * also when deleting the sources was declined; see the command's help for the others.
   */
  exitCode: ExitCodeValue
  summary: string
  hint?: string
  /** One function or family, after a run that moved something: what is left to do (the first of `recipes`). */
  recipe?: MigrationRecipe
  /** Lambda and ECS, after a run that moved something: what is left to do, one recipe per function (or family). */
  recipes?: MigrationRecipe[]
  /** The plan's estimate of the monthly cost of the secrets it creates (absent when nothing was planned). */
  cost?: CostEstimate
  /** What reading the source warned of, e.g. a .env value cut at a `#` (keys and lines, never values). */
  warnings?: string[]
}

