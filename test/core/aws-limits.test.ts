import {execFileSync} from 'node:child_process'
import {existsSync, readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {gunzipSync} from 'node:zlib'

import {describe, expect, it} from 'vitest'

import {AWS_LIMITS, checkLimit, checkSecretTags, checkSsmPath, checkVersionSelector, checkWriteMetadata, type ModelLimit} from '../../src/core/aws-limits.js'
import {ExitCode, SecretsError} from '../../src/core/errors.js'

interface Shape {
  type: string
  min?: number
  max?: number
  pattern?: string
  members?: Record<string, {shape: string}>
  member?: {shape: string}
}

interface ServiceModel {
  operations: Record<string, {input: {shape: string}}>
  shapes: Record<string, Shape>
}

/**
 * The service models botocore ships (the AWS CLI's, and moto's dependency, so present wherever the
 * emulator runs): the newest API version of each service, as the SDKs are generated from the same models.
 */
function serviceModel(service: string): ServiceModel {
  const root = execFileSync('python3', ['-c', 'import botocore, os; print(os.path.dirname(botocore.__file__))'], {encoding: 'utf8'}).trim()
  const versions = readdirSync(join(root, 'data', service)).sort()
  const folder = join(root, 'data', service, versions.at(-1) as string)
  const plain = join(folder, 'service-2.json')
  return JSON.parse(existsSync(plain) ? readFileSync(plain, 'utf8') : gunzipSync(readFileSync(`${plain}.gz`)).toString('utf8')) as ServiceModel
}

/** The shape at `Operation.Member[].Member...` of a model. */
function shapeAt(model: ServiceModel, path: string): Shape {
  const [operation, ...steps] = path.split('.')
  let shape = model.shapes[model.operations[operation].input.shape]
  for (const step of steps) {
    for (const part of step.split(/(?=\[\])/)) {
      if (part === '[]') shape = model.shapes[(shape.member as {shape: string}).shape]
      else shape = model.shapes[(shape.members?.[part] ?? {shape: `missing member ${part} of ${path}`}).shape]
      if (shape === undefined) throw new Error(`${path}: no shape at ${part}`)
    }
  }

  return shape
}

function refusal(check: () => void): SecretsError {
  try {
    check()
  } catch (error) {
    if (error instanceof SecretsError) return error
    throw error
  }

  throw new Error('expected a refusal')
}

describe('AWS_LIMITS', () => {
  const models = new Map<string, ServiceModel>()
  const model = (service: string) => models.get(service) ?? models.set(service, serviceModel(service)).get(service) as ServiceModel

  it.each(Object.entries(AWS_LIMITS))('%s is what the installed botocore model declares on each of its members', (_name, limit: ModelLimit) => {
    for (const member of limit.members) {
      const shape = shapeAt(model(limit.service), member)
      expect({member, min: shape.min, max: shape.max, pattern: shape.pattern}).toEqual({member, min: limit.min, max: limit.max, pattern: limit.pattern})
    }
  })

  it('compiles each pattern as AWS applies it, to the whole value', () => {
    expect(() => checkLimit(AWS_LIMITS.functionName, 'billing-api', '--from-lambda')).not.toThrow()
    expect(() => checkLimit(AWS_LIMITS.functionName, 'arn:aws:lambda:eu-west-1:123456789012:function:billing-api:live', '--from-lambda')).not.toThrow()
    expect(() => checkLimit(AWS_LIMITS.functionName, 'bad name!', '--from-lambda')).toThrow(/--from-lambda contains a space/)
    expect(() => checkLimit(AWS_LIMITS.nameFilter, '/prod/billing/', 'filter')).not.toThrow()
    expect(() => checkLimit(AWS_LIMITS.nameFilter, '/prod/bïlling/', 'filter')).toThrow(/the character U\+00EF/)
  })
})

describe('the checks of what a request carries', () => {
  it.each([
    ['a description over 2,048 characters', () => checkWriteMetadata({description: 'd'.repeat(2049)}), /--description is 2,049 characters; Secrets Manager allows at most 2,048 \(CreateSecret, UpdateSecret Description\)/],
    ['a KMS key over 2,048 characters', () => checkWriteMetadata({kmsKeyId: 'k'.repeat(2049)}), /--kms-key-id is 2,049 characters; Secrets Manager allows at most 2,048/],
    ['a tag value over 256 characters', () => checkSecretTags({owner: 'v'.repeat(257)}), /--tag owner: the value is 257 characters; Secrets Manager allows at most 256 \(CreateSecret, TagResource Tags\[\]\.Value\)/],
    ['51 tags', () => checkSecretTags(Object.fromEntries(Array.from({length: 51}, (_, i) => [`k${i}`, 'v']))), /51 --tag keys; Secrets Manager allows at most 50 tags a secret/],
    ['a key with the reserved prefix', () => checkSecretTags({'AWS:owner': 'x'}), /the key starts with "aws:", which AWS reserves/],
    ['a value with the reserved prefix', () => checkSecretTags({owner: 'aws:x'}), /the value starts with "aws:"/],
    ['a version id under 32 characters', () => checkVersionSelector({versionId: 'v1'}), /--version-id is 2 characters; Secrets Manager takes 32 to 64 \(GetSecretValue VersionId\)/],
    ['a version id over 64 characters', () => checkVersionSelector({versionId: 'a'.repeat(65)}), /--version-id is 65 characters/],
    ['an empty version stage', () => checkVersionSelector({versionStage: ''}), /--version-stage is empty; Secrets Manager takes 1 to 256/],
    ['a version stage over 256 characters', () => checkVersionSelector({versionStage: 's'.repeat(257)}), /--version-stage is 257 characters/],
    ['an SSM path over 2,048 characters', () => checkSsmPath(`/${'p'.repeat(2048)}`, false), /--from-ssm is 2,049 characters; SSM allows at most 2,048/],
    ['an SSM path whose name filter is over 512', () => checkSsmPath(`/${'p'.repeat(511)}`, true), /name filter .* is 513 characters; Secrets Manager allows at most 512 \(ListSecrets Filters\[\]\.Values\[\]\)/],
  ])('refuses %s with exit 2, naming the limit, never the value', (_label, check, message) => {
    const error = refusal(check)
    expect(error.exitCode).toBe(ExitCode.usage)
    expect(error.message).toMatch(message)
    expect(error.message).toContain('nothing was sent to AWS')
    expect(error.message).not.toMatch(/d{100}|v{100}|k{100}|p{100}/)
  })

  it('takes what AWS takes, at the limits', () => {
    expect(() => checkWriteMetadata({description: 'ü'.repeat(2048), kmsKeyId: 'alias/payments', tags: Object.fromEntries(Array.from({length: 50}, (_, i) => [`k${i}`.padEnd(128, 'k'), 'v'.repeat(256)]))})).not.toThrow()
    expect(() => checkWriteMetadata({description: '', tags: {owner: ''}})).not.toThrow()
    // Counted in code points, as AWS counts: 256 emoji are 512 UTF-16 units.
    expect(() => checkSecretTags({owner: '🔑'.repeat(256)})).not.toThrow()
    expect(() => checkVersionSelector({versionId: 'a'.repeat(32), versionStage: 'AWSPREVIOUS'})).not.toThrow()
    expect(() => checkSsmPath(`/${'p'.repeat(510)}`, true)).not.toThrow()
    expect(() => checkSsmPath('/prod/bill ing~', false)).not.toThrow()
    expect(() => checkSsmPath('/', true)).not.toThrow()
  })
})
