import {randomInt, randomUUID} from 'node:crypto'

import {ConflictError, NotFoundError, UsageError} from '../core/errors.js'
import {SecretValue} from '../core/secret-value.js'
import {
  type BatchReadResult,
  CURRENT_STAGE,
  type DeleteOptions,
  type PasswordOptions,
  PREVIOUS_STAGE,
  type PutOptions,
  type PutResult,
  type ReadOptions,
  type SecretMetadata,
  type SecretStore,
  type SecretVersion,
  sortNewestFirst,
  type SwapResult,
  type VersionedValue,
} from './secret-store.js'

interface StoredVersion {
  versionId: string
  value: SecretValue
  stages: string[]
  createdDate: Date
}

interface StoredSecret {
  metadata: SecretMetadata
  versions: StoredVersion[]
}

/**
 * A real, in-process SecretStore with Secrets Manager's semantics (stages, idempotency tokens,
 * scheduled deletion). Tests use it where the emulator is not the point.
 */
export class MemoryStore implements SecretStore {
  private readonly secrets = new Map<string, StoredSecret>()
  /** Count of calls by method, so tests can assert batching. */
  readonly calls: Record<string, number> = {}

  async put(name: string, value: SecretValue, options: PutOptions): Promise<PutResult> {
    this.count('put')
    const secret = this.secrets.get(name)
    if (secret?.metadata.deletedDate) throw scheduledForDeletion(name)
    if (!secret) return this.write(name, value, {...options, exists: false})
    if (!options.overwrite) throw new ConflictError(`${name} already exists and --no-overwrite was given; nothing was written.`)
    if (this.current(secret).value.equals(value)) {
      const metadataApplied: Array<'description' | 'tags'> = []
      if (options.description !== undefined) {
        secret.metadata.description = options.description
        metadataApplied.push('description')
      }

      if (options.tags && Object.keys(options.tags).length > 0) {
        Object.assign(secret.metadata.tags, options.tags)
        metadataApplied.push('tags')
      }

      return {outcome: 'unchanged', ...(metadataApplied.length > 0 ? {metadataApplied} : {})}
    }
    return this.write(name, value, {...options, exists: true})
  }

  async write(name: string, value: SecretValue, options: PutOptions & {exists: boolean}): Promise<PutResult> {
    this.count('write')
    const existing = this.secrets.get(name)
    if (existing?.metadata.deletedDate) throw scheduledForDeletion(name)
    if (!existing) {
      const versionId = options.clientRequestToken ?? randomUUID()
      const now = new Date()
      this.secrets.set(name, {
        metadata: {
          name,
          arn: `arn:aws:secretsmanager:us-east-1:123456789012:secret:${name}-${randomSuffix()}`,
          description: options.description,
          kmsKeyId: options.kmsKeyId,
          createdDate: now,
          lastChangedDate: now,
          tags: {...options.tags},
        },
        versions: [{versionId, value, stages: [CURRENT_STAGE], createdDate: now}],
      })
      return {outcome: 'created', versionId}
    }

    if (!options.overwrite && !options.exists) {
      throw new ConflictError(`${name} already exists and --no-overwrite was given; nothing was written.`)
    }

    const token = options.clientRequestToken
    const replay = token ? existing.versions.find((version) => version.versionId === token) : undefined
    if (replay) {
      // Same token: Secrets Manager treats it as a retry when the value matches, an error otherwise.
      if (!replay.value.equals(value)) throw new UsageError(`The request token for ${name} was already used with another value.`)
      return {outcome: 'updated', versionId: replay.versionId}
    }

    for (const version of existing.versions) {
      version.stages = version.stages.filter((stage) => stage !== PREVIOUS_STAGE)
      if (version.stages.includes(CURRENT_STAGE)) {
        version.stages = version.stages.filter((stage) => stage !== CURRENT_STAGE).concat(PREVIOUS_STAGE)
      }
    }

    const versionId = token ?? randomUUID()
    const now = new Date()
    existing.versions.push({versionId, value, stages: [CURRENT_STAGE], createdDate: now})
    existing.metadata.lastChangedDate = now
    if (options.description !== undefined) existing.metadata.description = options.description
    Object.assign(existing.metadata.tags, options.tags)
    return {outcome: 'updated', versionId}
  }

  async get(name: string, options: ReadOptions = {}): Promise<SecretValue> {
    this.count('get')
    const secret = this.find(name)
    if (secret.metadata.deletedDate) throw scheduledForDeletion(name)
    const version = options.versionId
      ? secret.versions.find((candidate) => candidate.versionId === options.versionId)
      : secret.versions.find((candidate) => candidate.stages.includes(options.versionStage ?? CURRENT_STAGE))
    if (!version) throw new NotFoundError(`${name} has no such version.`, `Run "secrets history ${name}" to see its versions.`)
    return version.value
  }

  async getCurrent(name: string): Promise<VersionedValue> {
    this.count('getCurrent')
    const secret = this.find(name)
    if (secret.metadata.deletedDate) throw scheduledForDeletion(name)
    const {value, versionId} = this.current(secret)
    return {value, versionId}
  }

  /** Atomic here (one process): the check and the new version happen in one step, as the stage move does on AWS. */
  async swap(name: string, value: SecretValue, expectedVersionId: string): Promise<SwapResult> {
    this.count('swap')
    const secret = this.find(name)
    if (secret.metadata.deletedDate) throw scheduledForDeletion(name)
    if (this.current(secret).versionId !== expectedVersionId) return {swapped: false}
    const {versionId} = await this.write(name, value, {overwrite: true, exists: true})
    return {swapped: true, versionId: versionId as string}
  }

  async moveCurrent(name: string, toVersionId: string, expectedVersionId: string): Promise<{moved: boolean}> {
    this.count('moveCurrent')
    const secret = this.find(name)
    if (secret.metadata.deletedDate) throw scheduledForDeletion(name)
    const target = secret.versions.find((version) => version.versionId === toVersionId)
    if (!target) throw new NotFoundError(`${name} has no such version.`, `Run "secrets history ${name}" to see its versions.`)
    const current = this.current(secret)
    if (current.versionId !== expectedVersionId) return {moved: false}
    for (const version of secret.versions) version.stages = version.stages.filter((stage) => stage !== PREVIOUS_STAGE)
    current.stages = current.stages.filter((stage) => stage !== CURRENT_STAGE).concat(PREVIOUS_STAGE)
    target.stages = [...target.stages.filter((stage) => stage !== PREVIOUS_STAGE), CURRENT_STAGE]
    return {moved: true}
  }

  /** GetRandomPassword's alphabet: letters, digits and its punctuation set. */
  async generatePassword(options: PasswordOptions): Promise<SecretValue> {
    this.count('generatePassword')
    const punctuation = options.excludePunctuation ? '' : '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~'
    const alphabet = [...`ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789${punctuation}`].filter((ch) => !(options.excludeCharacters ?? '').includes(ch))
    if (alphabet.length === 0) throw new UsageError('No characters are left to generate a password from.')
    return SecretValue.fromString(Array.from({length: options.length}, () => alphabet[randomInt(alphabet.length)]).join(''))
  }

  async getMany(names: string[]): Promise<BatchReadResult> {
    this.count('getMany')
    const values = new Map<string, SecretValue>()
    const versionIds = new Map<string, string>()
    const missing: string[] = []
    const scheduled: string[] = []
    for (const name of names) {
      const secret = this.secrets.get(name)
      if (!secret || secret.metadata.deletedDate) {
        missing.push(name)
        if (secret) scheduled.push(name)
      } else {
        values.set(name, this.current(secret).value)
        versionIds.set(name, this.current(secret).versionId)
      }
    }

    return {values, missing, versionIds, scheduled}
  }

  async *list(prefix: string, options: {includeDeleted?: boolean} = {}): AsyncIterable<SecretMetadata> {
    this.count('list')
    const names = [...this.secrets.keys()].filter((name) => name.startsWith(prefix)).sort()
    for (const name of names) {
      const secret = this.secrets.get(name)
      if (!secret || (secret.metadata.deletedDate && !options.includeDeleted)) continue
      yield {...secret.metadata, tags: {...secret.metadata.tags}}
    }
  }

  async describe(name: string): Promise<SecretMetadata> {
    this.count('describe')
    const secret = this.find(name)
    return {...secret.metadata, tags: {...secret.metadata.tags}}
  }

  async delete(name: string, options: DeleteOptions): Promise<{deletionDate?: Date}> {
    this.count('delete')
    const secret = this.find(name)
    if (options.force) {
      this.secrets.delete(name)
      return {deletionDate: new Date()}
    }

    const deletionDate = new Date(Date.now() + (options.recoveryDays ?? 30) * 86_400_000)
    secret.metadata.deletedDate = new Date()
    return {deletionDate}
  }

  async restore(name: string): Promise<void> {
    this.count('restore')
    this.find(name).metadata.deletedDate = undefined
  }

  async history(name: string): Promise<SecretVersion[]> {
    this.count('history')
    return sortNewestFirst(
      this.find(name)
        .versions.filter((version) => version.stages.length > 0)
        .map(({versionId, stages, createdDate}) => ({versionId, stages: [...stages], createdDate})),
    )
  }

  private find(name: string): StoredSecret {
    const secret = this.secrets.get(name)
    if (!secret) throw new NotFoundError(`${name} was not found.`)
    return secret
  }

  private current(secret: StoredSecret): StoredVersion {
    const version = secret.versions.find((candidate) => candidate.stages.includes(CURRENT_STAGE))
    if (!version) throw new NotFoundError(`${secret.metadata.name} has no current version.`)
    return version
  }

  private count(method: string): void {
    this.calls[method] = (this.calls[method] ?? 0) + 1
  }
}

function scheduledForDeletion(name: string): ConflictError {
  return new ConflictError(`${name} is scheduled for deletion.`, `Run "secrets restore ${name}" to cancel the deletion first.`)
}

function randomSuffix(): string {
  return randomUUID().replaceAll('-', '').slice(0, 6)
}
