import {
  BatchGetSecretValueCommand,
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  paginateListSecretVersionIds,
  paginateListSecrets,
  PutSecretValueCommand,
  RestoreSecretCommand,
  type SecretsManagerClient,
  TagResourceCommand,
  UpdateSecretCommand,
} from '@aws-sdk/client-secrets-manager'
import pLimit from 'p-limit'

import {SCHEDULED_FOR_DELETION, translateAwsError} from '../aws/errors.js'
import {LISTINGS, listPages} from '../aws/paging.js'
import {inBatches} from '../core/batches.js'
import {ConflictError, ExitCode, type SecretsError} from '../core/errors.js'
import type {SecretValue} from '../core/secret-value.js'
import {
  type BatchReadResult,
  CURRENT_STAGE,
  type DeleteOptions,
  type ListOptions,
  type MetadataKind,
  PartialWriteError,
  type PutOptions,
  type PutResult,
  type ReadOptions,
  type SecretMetadata,
  type SecretStore,
  type PasswordOptions,
  type SecretVersion,
  sortNewestFirst,
  type SwapResult,
  type VersionedValue,
} from './secret-store.js'
import {fromPayload, payload, toMetadata} from './secrets-manager-mapping.js'
import {moveCurrentStage, randomPassword, swapCurrent} from './secrets-manager-swap.js'

/** BatchGetSecretValue takes at most 20 secret ids a call. */
const BATCH_GET_LIMIT = 20
/** Batches in flight at once: enough to hide latency, well under the API's request rate quota. */
const BATCH_CONCURRENCY = 4

/** What new secrets get in an environment (secrets.yml): a KMS key and the regions to replicate to. */
export interface CreateDefaults {
  kmsKeyId?: string
  replicaRegions?: readonly string[]
}

/** Secrets Manager behind the SecretStore interface. The client is built by src/aws/clients.ts. */
export class SecretsManagerStore implements SecretStore {
  constructor(
    private readonly client: SecretsManagerClient,
    private readonly defaults: CreateDefaults = {},
  ) {}

  async put(name: string, value: SecretValue, options: PutOptions): Promise<PutResult> {
    // Without overwrite, CreateSecret alone decides (an existing secret is a conflict): no value is
    // read, and no read permission is needed.
    if (!options.overwrite) return this.write(name, value, {...options, exists: false})
    let current: SecretValue | undefined
    try {
      current = await this.get(name)
    } catch (error) {
      if ((error as {exitCode?: number}).exitCode !== ExitCode.notFound) throw error
    }

    if (current === undefined) return this.write(name, value, {...options, exists: false})
    if (current.equals(value)) {
      const metadataApplied = await this.applyMetadata(name, options, {outcome: 'unchanged'})
      return {outcome: 'unchanged', ...(metadataApplied.length > 0 ? {metadataApplied} : {})}
    }

    return this.write(name, value, {...options, exists: true})
  }

  /**
   * UpdateSecret for a description, TagResource for tags: what a new version of an existing secret also
   * gets. A refusal after something landed (`before`: the version written; or a description applied)
   * says exactly what was written (PartialWriteError).
   */
  private async applyMetadata(name: string, options: Pick<PutOptions, 'description' | 'tags'>, before: PutResult): Promise<MetadataKind[]> {
    const steps: Array<{kind: MetadataKind; send: () => Promise<unknown>}> = []
    if (options.description !== undefined) {
      steps.push({kind: 'description', send: () => this.call('secretsmanager:UpdateSecret', name, () => this.client.send(new UpdateSecretCommand({SecretId: name, Description: options.description})))})
    }

    if (options.tags && Object.keys(options.tags).length > 0) {
      const tags = Object.entries(options.tags).map(([Key, Value]) => ({Key, Value}))
      steps.push({kind: 'tags', send: () => this.call('secretsmanager:TagResource', name, () => this.client.send(new TagResourceCommand({SecretId: name, Tags: tags})))})
    }

    const applied: MetadataKind[] = []
    for (const [index, step] of steps.entries()) {
      try {
        await step.send()
      } catch (error) {
        if (before.outcome === 'unchanged' && applied.length === 0) throw error
        const written = {...before, ...(applied.length > 0 ? {metadataApplied: applied} : {})}
        throw new PartialWriteError(name, written, steps.slice(index).map(({kind}) => kind), error as SecretsError)
      }

      applied.push(step.kind)
    }

    return applied
  }

  async write(name: string, value: SecretValue, options: PutOptions & {exists: boolean}): Promise<PutResult> {
    if (!options.exists) {
      try {
        const created = await this.client.send(
          new CreateSecretCommand({
            Name: name,
            ...payload(value),
            Description: options.description,
            // --kms-key-id wins over the environment's key; replicas keep each region's default key.
            KmsKeyId: options.kmsKeyId ?? this.defaults.kmsKeyId,
            AddReplicaRegions: this.defaults.replicaRegions?.length ? this.defaults.replicaRegions.map((Region) => ({Region})) : undefined,
            Tags: options.tags ? Object.entries(options.tags).map(([Key, Value]) => ({Key, Value})) : undefined,
            ClientRequestToken: options.clientRequestToken,
          }),
        )
        return {outcome: 'created', versionId: created.VersionId}
      } catch (error) {
        // Another writer created it between our read and our write: fall through to a new version.
        if ((error as {name?: string}).name !== 'ResourceExistsException') {
          throw translateAwsError(error, {action: 'secretsmanager:CreateSecret', resource: name, value})
        }

        if (!options.overwrite) throw existsConflict(name)
      }
    }

    const version = await this.call(
      'secretsmanager:PutSecretValue',
      name,
      () =>
        this.client.send(
          new PutSecretValueCommand({SecretId: name, ...payload(value), ClientRequestToken: options.clientRequestToken}),
        ),
      value,
    )
    const updated: PutResult = {outcome: 'updated', versionId: version.VersionId}
    await this.applyMetadata(name, options, updated)
    return updated
  }

  async get(name: string, options: ReadOptions = {}): Promise<SecretValue> {
    const output = await this.call('secretsmanager:GetSecretValue', name, () =>
      this.client.send(
        new GetSecretValueCommand({
          SecretId: name,
          VersionId: options.versionId,
          // Always explicit: the emulator (unlike AWS) may answer an older version without it.
          VersionStage: options.versionId ? options.versionStage : (options.versionStage ?? CURRENT_STAGE),
        }),
      ),
    )
    return fromPayload(output)
  }

  async getCurrent(name: string): Promise<VersionedValue> {
    const output = await this.call('secretsmanager:GetSecretValue', name, () =>
      this.client.send(new GetSecretValueCommand({SecretId: name, VersionStage: CURRENT_STAGE})),
    )
    return {value: fromPayload(output), versionId: output.VersionId ?? ''}
  }

  /** A compare-and-swap on AWSCURRENT (see swapCurrent in secrets-manager-swap.ts). */
  async swap(name: string, value: SecretValue, expectedVersionId: string): Promise<SwapResult> {
    return swapCurrent(this.client, name, value, expectedVersionId)
  }

  /** A compare-and-swap on AWSCURRENT with no new version (see moveCurrentStage in secrets-manager-swap.ts). */
  async moveCurrent(name: string, toVersionId: string, expectedVersionId: string): Promise<{moved: boolean}> {
    return moveCurrentStage(this.client, name, toVersionId, expectedVersionId)
  }

  async generatePassword(options: PasswordOptions): Promise<SecretValue> {
    return randomPassword(this.client, options)
  }

  async getMany(names: string[]): Promise<BatchReadResult> {
    const values = new Map<string, SecretValue>()
    const versionIds = new Map<string, string>()
    const missing: string[] = []
    const scheduled: string[] = []
    const limit = pLimit(BATCH_CONCURRENCY)
    await Promise.all(
      inBatches(names, BATCH_GET_LIMIT).map((batch) =>
        limit(async () => {
          const output = await this.call('secretsmanager:BatchGetSecretValue', batch.join(', '), () =>
            this.client.send(new BatchGetSecretValueCommand({SecretIdList: batch})),
          )
          for (const entry of output.SecretValues ?? []) {
            if (!entry.Name) continue
            if (entry.VersionStages?.includes(CURRENT_STAGE)) {
              values.set(entry.Name, fromPayload(entry))
              if (entry.VersionId) versionIds.set(entry.Name, entry.VersionId)
            } else {
              // BatchGetSecretValue takes no stage. AWS answers AWSCURRENT, so this costs it nothing; an
              // emulator (moto) answers the version it last wrote, not the one a field write made current.
              const current = await this.getCurrent(entry.Name)
              values.set(entry.Name, current.value)
              if (current.versionId) versionIds.set(entry.Name, current.versionId)
            }
          }

          for (const error of output.Errors ?? []) {
            const id = error.SecretId ?? ''
            if (error.ErrorCode === 'ResourceNotFoundException' || SCHEDULED_FOR_DELETION.test(error.Message ?? '')) {
              missing.push(id)
              if (error.ErrorCode !== 'ResourceNotFoundException') scheduled.push(id)
            } else {
              throw translateAwsError({name: error.ErrorCode, message: error.Message}, {
                action: 'secretsmanager:GetSecretValue',
                resource: id,
              })
            }
          }
        }),
      ),
    )
    // A batch answers by name or by ARN; anything asked for and not answered counts as missing.
    const errored = new Set(missing)
    for (const name of names) if (!values.has(name) && !errored.has(name)) missing.push(name)
    return {values, missing, versionIds, scheduled}
  }

  async *list(prefix: string, options: ListOptions = {}): AsyncIterable<SecretMetadata> {
    const input = {
      // AWS's name filter is a prefix match; it narrows the listing, and the exact check below
      // decides (an emulator may match more loosely).
      Filters: prefix === '/' || prefix === '' ? undefined : [{Key: 'name' as const, Values: [prefix]}],
      IncludePlannedDeletion: options.includeDeleted ?? false,
    }
    const pages = listPages(LISTINGS.listSecrets, paginateListSecrets, this.client, input, {signal: options.signal})
    try {
      for await (const page of pages) {
        for (const entry of page.SecretList ?? []) {
          if (entry.Name?.startsWith(prefix)) yield toMetadata(entry)
        }
      }
    } catch (error) {
      throw translateAwsError(error, {action: 'secretsmanager:ListSecrets', resource: `${prefix}*`})
    }
  }

  async describe(name: string): Promise<SecretMetadata> {
    const output = await this.call('secretsmanager:DescribeSecret', name, () =>
      this.client.send(new DescribeSecretCommand({SecretId: name})),
    )
    return toMetadata(output)
  }

  async delete(name: string, options: DeleteOptions): Promise<{deletionDate?: Date}> {
    const output = await this.call('secretsmanager:DeleteSecret', name, () =>
      this.client.send(
        new DeleteSecretCommand(
          options.force
            ? {SecretId: name, ForceDeleteWithoutRecovery: true}
            : {SecretId: name, RecoveryWindowInDays: options.recoveryDays ?? 30},
        ),
      ),
    )
    return {deletionDate: output.DeletionDate}
  }

  async restore(name: string): Promise<void> {
    await this.call('secretsmanager:RestoreSecret', name, () =>
      this.client.send(new RestoreSecretCommand({SecretId: name})),
    )
  }

  async history(name: string): Promise<SecretVersion[]> {
    // Describe first: it answers a missing secret with ResourceNotFound on AWS and on the emulator
    // alike (the emulator's ListSecretVersionIds answers 500 there).
    await this.describe(name)
    const versions: SecretVersion[] = []
    try {
      for await (const page of listPages(LISTINGS.listSecretVersionIds, paginateListSecretVersionIds, this.client, {SecretId: name})) {
        for (const version of page.Versions ?? []) {
          // AWS omits versions without a stage unless asked (IncludeDeprecated); the emulator lists
          // them anyway, so filter for the same answer on both.
          if (!version.VersionId || !version.VersionStages?.length) continue
          versions.push({versionId: version.VersionId, stages: version.VersionStages, createdDate: version.CreatedDate})
        }
      }
    } catch (error) {
      throw translateAwsError(error, {action: 'secretsmanager:ListSecretVersionIds', resource: name, listHint: listHintFor(name)})
    }

    return sortNewestFirst(versions)
  }

  private async call<T>(action: string, name: string, send: () => Promise<T>, value?: SecretValue): Promise<T> {
    try {
      return await send()
    } catch (error) {
      throw translateAwsError(error, {action, resource: name, listHint: listHintFor(name), value})
    }
  }
}

function existsConflict(name: string): ConflictError {
  return new ConflictError(`${name} already exists and --no-overwrite was given; nothing was written.`)
}

function listHintFor(name: string): string {
  const scope = name.split('/').slice(1, 3).join('/')
  return scope ? `secrets list ${scope}` : 'secrets list'
}
