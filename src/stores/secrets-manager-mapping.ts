/*
 * Between Secrets Manager's shapes and the store's: values (SecretString or SecretBinary) and
 * metadata. Plain data in and out, so the SDK's types stay structural here.
 */
import {SecretValue} from '../core/secret-value.js'
import type {SecretMetadata} from './secret-store.js'

/** A value as CreateSecret and PutSecretValue take it: text as SecretString, anything else as SecretBinary. */
export function payload(value: SecretValue): {SecretString: string} | {SecretBinary: Uint8Array} {
  const text = value.text
  return text === undefined ? {SecretBinary: value.bytes} : {SecretString: text}
}

/** A value as GetSecretValue and BatchGetSecretValue return it. */
export function fromPayload(output: {SecretString?: string; SecretBinary?: Uint8Array}): SecretValue {
  if (output.SecretString !== undefined) return SecretValue.fromString(output.SecretString)
  return SecretValue.fromBytes(output.SecretBinary ?? new Uint8Array())
}

/** A ListSecrets or DescribeSecret entry as the store's metadata (tags as a record, replicas with their state). */
export function toMetadata(entry: {
  Name?: string
  ARN?: string
  Description?: string
  LastChangedDate?: Date
  CreatedDate?: Date
  DeletedDate?: Date
  KmsKeyId?: string
  Tags?: {Key?: string; Value?: string}[]
  PrimaryRegion?: string
  ReplicationStatus?: {Region?: string; KmsKeyId?: string; Status?: string; StatusMessage?: string; LastAccessedDate?: Date}[]
  RotationEnabled?: boolean
  RotationRules?: {AutomaticallyAfterDays?: number; ScheduleExpression?: string}
}): SecretMetadata {
  return {
    name: entry.Name ?? '',
    arn: entry.ARN,
    description: entry.Description,
    lastChangedDate: entry.LastChangedDate,
    createdDate: entry.CreatedDate,
    deletedDate: entry.DeletedDate,
    kmsKeyId: entry.KmsKeyId,
    tags: Object.fromEntries((entry.Tags ?? []).map((tag) => [tag.Key ?? '', tag.Value ?? ''])),
    ...(entry.PrimaryRegion ? {primaryRegion: entry.PrimaryRegion} : {}),
    ...(entry.RotationEnabled === undefined ? {} : {rotation: rotationOf(entry.RotationEnabled, entry.RotationRules)}),
    ...(entry.ReplicationStatus?.length
      ? {
          replication: entry.ReplicationStatus.map((replica) => ({
            region: replica.Region ?? '',
            status: replica.Status ?? 'Unknown',
            ...(replica.StatusMessage ? {statusMessage: replica.StatusMessage} : {}),
            ...(replica.KmsKeyId ? {kmsKeyId: replica.KmsKeyId} : {}),
          })),
        }
      : {}),
  }
}

function rotationOf(enabled: boolean, rules: {AutomaticallyAfterDays?: number; ScheduleExpression?: string} | undefined): SecretMetadata['rotation'] {
  return {
    enabled,
    ...(rules?.AutomaticallyAfterDays === undefined ? {} : {afterDays: rules.AutomaticallyAfterDays}),
    ...(rules?.ScheduleExpression ? {schedule: rules.ScheduleExpression} : {}),
  }
}
