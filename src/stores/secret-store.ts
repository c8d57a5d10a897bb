import {SecretsError} from '../core/errors.js'
import type {SecretValue} from '../core/secret-value.js'

/** What a listing shows about a secret: everything but its value. */
export interface SecretMetadata {
  /** Full name, `/<env>/<service>/<name>`. */
  name: string
  arn?: string
  description?: string
  lastChangedDate?: Date
  createdDate?: Date
  /** Set when the secret is scheduled for deletion. */
  deletedDate?: Date
  kmsKeyId?: string
  tags: Record<string, string>
  /** Set on a replica: the region of the primary secret. */
  primaryRegion?: string
  /** Replicas of a primary secret and their state (DescribeSecret's ReplicationStatus). */
  replication?: ReplicaStatus[]
  /** DescribeSecret's RotationEnabled and RotationRules, when the store knows them. */
  rotation?: RotationInfo
}

export interface RotationInfo {
  enabled: boolean
  /** RotationRules.AutomaticallyAfterDays. */
  afterDays?: number
  /** RotationRules.ScheduleExpression, e.g. rate(10 days) or cron(...). */
  schedule?: string
}

export interface ReplicaStatus {
  region: string
  /** InSync, InProgress or Failed. */
  status: string
  statusMessage?: string
  kmsKeyId?: string
}

export interface SecretVersion {
  versionId: string
  stages: string[]
  createdDate?: Date
}

export interface PutOptions {
  description?: string
  kmsKeyId?: string
  tags?: Record<string, string>
  /** When false, an existing secret is a conflict and nothing is written. */
  overwrite: boolean
  /**
   * Idempotency token for the write (32 to 64 characters). Retrying with the same token and value
   * never adds a second version.
   */
  clientRequestToken?: string
}

export type PutOutcome = 'created' | 'updated' | 'unchanged'

export interface PutResult {
  outcome: PutOutcome
  versionId?: string
  /**
   * On `unchanged`: the metadata given (`description`, `tags`) was still applied to the secret, since
   * leaving the value alone must not silently drop what the caller asked to set.
   */
  metadataApplied?: MetadataKind[]
}

/** What a write may set besides the value, after it (UpdateSecret, TagResource). */
export type MetadataKind = 'description' | 'tags'

/**
 * A write that was refused part-way, after a step of it had landed: `written` says exactly what was
 * (the new version, or the value left identical, and the metadata applied before the refusal),
 * `notApplied` what was not, and `refusal` why. Its exit code is the refusal's.
 */
export class PartialWriteError extends SecretsError {
  constructor(
    readonly secret: string,
    readonly written: PutResult,
    readonly notApplied: MetadataKind[],
    readonly refusal: SecretsError,
  ) {
    super(partialWriteMessage(secret, written, notApplied, refusal), {code: refusal.code, exitCode: refusal.exitCode, hint: refusal.hint})
  }
}

function partialWriteMessage(name: string, written: PutResult, notApplied: MetadataKind[], refusal: SecretsError): string {
  const value = written.outcome === 'unchanged' ? 'the value was identical (no version written)' : `the new value was stored${written.versionId ? ` as version ${written.versionId}` : ''} and is AWSCURRENT`
  const applied = written.metadataApplied?.length ? ` and the ${written.metadataApplied.join(' and ')} applied` : ''
  return `${name}: ${value}${applied}, but the ${notApplied.join(' and ')} ${notApplied.length > 1 || notApplied[0] === 'tags' ? 'were' : 'was'} not applied: ${refusal.message}`
}

export interface ReadOptions {
  versionStage?: string
  versionId?: string
}

export interface DeleteOptions {
  /** 7 to 30; ignored with `force`. */
  recoveryDays?: number
  force?: boolean
}

export interface BatchReadResult {
  values: Map<string, SecretValue>
  /** Names that do not exist (or are scheduled for deletion). */
  missing: string[]
  /** The AWSCURRENT version id of each value read, when the store knows it. */
  versionIds?: Map<string, string>
  /** Names (also in `missing`) that exist but are scheduled for deletion, when the store can tell. */
  scheduled?: string[]
}

/** A secret's current value and the version that holds it. */
export interface VersionedValue {
  value: SecretValue
  versionId: string
}

/** What GetRandomPassword is asked for. */
export interface PasswordOptions {
  length: number
  excludePunctuation?: boolean
  /** Characters never to use. */
  excludeCharacters?: string
}

/** What a compare-and-swap did: `swapped` false means another writer moved AWSCURRENT first. */
export type SwapResult = {swapped: true; versionId: string} | {swapped: false}

/**
 * The staging label a compare-and-swap writes its new version under before it moves AWSCURRENT.
 * One label for every writer: PutSecretValue moves a label that is on another version, so a version
 * orphaned by a writer that lost (or died) loses the label to the next writer's put.
 */
export const PENDING_STAGE = 'SECRETSCLI_PENDING'

/**
 * The one narrow interface every command talks to. Implementations take their client in the
 * constructor; the memory store is a real implementation used by tests. Names are full names.
 */
export interface SecretStore {
  /**
   * Creates the secret or adds a version; adds no version when the current value is identical, but
   * still applies a given description and tags (and says so in `metadataApplied`). A refusal after a
   * step has landed (a version written, the description applied) is a PartialWriteError.
   */
  put(name: string, value: SecretValue, options: PutOptions): Promise<PutResult>
  /** Writes a new version or creates, without reading first (for callers that already know the state). */
  write(name: string, value: SecretValue, options: PutOptions & {exists: boolean}): Promise<PutResult>
  get(name: string, options?: ReadOptions): Promise<SecretValue>
  /** The AWSCURRENT value with its version id (exit 3 when the secret does not exist). */
  getCurrent(name: string): Promise<VersionedValue>
  /**
   * Compare-and-swap: adds `value` as a new version and makes it AWSCURRENT only if AWSCURRENT is still
   * on `expectedVersionId` (the version the caller read); the old one becomes AWSPREVIOUS. When another
   * writer moved AWSCURRENT first, nothing becomes current and `swapped` is false. Either way no version
   * keeps PENDING_STAGE (best effort after a successful swap: the next writer's put moves it anyway).
   */
  swap(name: string, value: SecretValue, expectedVersionId: string): Promise<SwapResult>
  /**
   * Compare-and-swap of a stage alone: makes the existing version `toVersionId` AWSCURRENT only if
   * AWSCURRENT is still on `expectedVersionId`; the version it leaves becomes AWSPREVIOUS. No version
   * is written. When another writer moved AWSCURRENT first, nothing moves and `moved` is false.
   */
  moveCurrent(name: string, toVersionId: string, expectedVersionId: string): Promise<{moved: boolean}>
  /** A random password from Secrets Manager's GetRandomPassword (letters, digits, punctuation unless excluded). */
  generatePassword(options: PasswordOptions): Promise<SecretValue>
  /** Current values of many secrets, batched (20 a call on Secrets Manager). */
  getMany(names: string[]): Promise<BatchReadResult>
  /**
   * Every secret whose full name starts with `prefix`, exactly (case-sensitive). A listing that never
   * ends is stopped (exit 6), and an aborted `signal` stops it (ListingStoppedError, core/paging.ts).
   */
  list(prefix: string, options?: ListOptions): AsyncIterable<SecretMetadata>
  describe(name: string): Promise<SecretMetadata>
  delete(name: string, options: DeleteOptions): Promise<{deletionDate?: Date}>
  restore(name: string): Promise<void>
  history(name: string): Promise<SecretVersion[]>
}

/** How to list: with secrets scheduled for deletion or not, and the signal that stops the listing. */
export interface ListOptions {
  includeDeleted?: boolean
  signal?: AbortSignal
}

/** Stage names Secrets Manager maintains. */
export const CURRENT_STAGE = 'AWSCURRENT'
export const PREVIOUS_STAGE = 'AWSPREVIOUS'

/** Newest first; versions created in the same second are ordered current, previous, then the rest. */
export function sortNewestFirst(versions: SecretVersion[]): SecretVersion[] {
  const rank = (version: SecretVersion) =>
    version.stages.includes(CURRENT_STAGE) ? 0 : version.stages.includes(PREVIOUS_STAGE) ? 1 : 2
  return [...versions].sort(
    (a, b) => (b.createdDate?.getTime() ?? 0) - (a.createdDate?.getTime() ?? 0) || rank(a) - rank(b),
  )
}

