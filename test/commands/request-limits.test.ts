import {DescribeSecretCommand, SecretsManagerClient} from '@aws-sdk/client-secrets-manager'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {type AwsProxy, type ProxiedAnswer, startAwsProxy} from '../helpers/aws-proxy.js'
import {emulatorEndpoint, runCli, uniqueEnv} from '../helpers/cli.js'

const E = uniqueEnv('limits')

let proxy: AwsProxy
/** Operations the proxy answers with an AWS-side refusal instead of the emulator (see `refuse`). */
const refusals = new Map<string, ProxiedAnswer>()

/** Runs the CLI through the loopback proxy and counts the AWS calls the run made. */
async function viaProxy(args: string[], input?: string): Promise<{code: number | null; stdout: string; stderr: string; calls: number}> {
  const before = proxy.answered()
  const result = await runCli(args, {input, env: {AWS_ENDPOINT_URL: proxy.endpoint}})
  return {...result, calls: proxy.answered() - before}
}

/** An error in Secrets Manager's JSON protocol, as AWS answers it. */
function refuse(operation: string, type: string, message: string, status = 400): void {
  refusals.set(operation, {
    status,
    headers: {'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': type},
    body: Buffer.from(JSON.stringify({__type: type, message})),
  })
}

const client = () => new SecretsManagerClient({region: 'us-east-1', endpoint: emulatorEndpoint(), credentials: {accessKeyId: 'testing', secretAccessKey: 'testing'}})

beforeAll(async () => {
  proxy = await startAwsProxy(emulatorEndpoint(), {intercept: async ({operation}) => refusals.get(operation)})
  await runCli(['set', `${E}/api`, 'EXISTING'], {input: 'old-value'})
})
afterAll(async () => proxy.close())

describe('requests AWS would refuse are refused before any call', () => {
  it.each([
    ['a --description over 2,048 characters', ['set', `${E}/api`, 'EXISTING', '--description', 'd'.repeat(2049)], /--description is 2,049 characters; Secrets Manager allows at most 2,048 \(CreateSecret, UpdateSecret Description\)/],
    ['a --tag value over 256 characters', ['set', `${E}/api`, 'EXISTING', '--tag', `owner=${'v'.repeat(257)}`], /--tag owner: the value is 257 characters; Secrets Manager allows at most 256/],
    ['51 --tag flags', ['set', `${E}/api`, 'EXISTING', ...Array.from({length: 51}, (_, i) => ['--tag', `k${i}=v`]).flat()], /51 --tag keys; Secrets Manager allows at most 50 tags a secret/],
    ['a --tag key with the reserved aws: prefix', ['set', `${E}/api`, 'EXISTING', '--tag', 'aws:owner=payments'], /the key starts with "aws:", which AWS reserves/],
    ['a --kms-key-id over 2,048 characters', ['set', `${E}/api`, 'NEW_KMS', '--kms-key-id', 'k'.repeat(2049)], /--kms-key-id is 2,049 characters; Secrets Manager allows at most 2,048/],
    ['an --exclude-characters over 4,096 characters', ['set', `${E}/api`, 'GEN', '--generate', '--exclude-characters', 'x'.repeat(4097)], /--exclude-characters is 4,097 characters; Secrets Manager allows at most 4,096 \(GetRandomPassword ExcludeCharacters\)/],
  ])('set with %s: exit 2 naming the limit, no call, the value unchanged', async (_label, args, message) => {
    const result = await viaProxy(args, 'new-value')
    expect(result.code, result.stderr).toBe(2)
    expect(result.stderr).toMatch(message)
    expect(result.stderr).toContain('nothing was sent to AWS')
    expect(result.calls).toBe(0)
    expect((await runCli(['get', `${E}/api`, 'EXISTING'])).stdout).toBe('old-value')
  })

  it.each([
    ['get', '--version-id', 'v1', /--version-id is 2 characters; Secrets Manager takes 32 to 64 \(GetSecretValue VersionId\)/],
    ['get', '--version-id', 'a'.repeat(65), /--version-id is 65 characters; Secrets Manager allows at most 64/],
    // Before: sent as empty, and the emulator answered AWSCURRENT as if nothing had been asked.
    ['get', '--version-stage', '', /--version-stage is empty; Secrets Manager takes 1 to 256/],
    ['get', '--version-stage', 's'.repeat(257), /--version-stage is 257 characters; Secrets Manager allows at most 256/],
    ['fields', '--version-stage', '', /--version-stage is empty/],
  ])('%s %s (case %#): exit 2 naming the limit, no call, no value printed', async (command, flag, text, message) => {
    const result = await viaProxy([command, `${E}/api`, 'EXISTING', flag, text])
    expect(result.code, result.stderr).toBe(2)
    expect(result.stderr).toMatch(message)
    expect(result.stdout).toBe('')
    expect(result.calls).toBe(0)
  })

  it.each([
    ['a path whose name filter is over 512 characters (no --to)', ['--from-ssm', `/${E}/${'p'.repeat(510)}`], /name filter "PATH\/" of the secrets it lists without --to, is 5\d\d characters; Secrets Manager allows at most 512 \(ListSecrets Filters\[\]\.Values\[\]\)/],
    ['an oddly spelled path (no --to)', ['--from-ssm', `/${E}/bïlling`], /contains the character U\+00EF, which is not in the characters Secrets Manager allows/],
    ['a path over 2,048 characters', ['--from-ssm', `/${'p'.repeat(2048)}`, '--to', `${E}/x`], /--from-ssm is 2,049 characters; SSM allows at most 2,048 \(GetParametersByPath Path\)/],
    // Before: the emulator answered a 404 page, and the run ended in exit 1, "Unexpected error".
    ['a Lambda function name outside its pattern', ['--from-lambda', 'bad name!', '--to', `${E}/fn`], /--from-lambda contains a space, which is not in the characters Lambda allows/],
    ['a --description over 2,048 characters', ['--from-ssm', `/${E}/api`, '--description', 'd'.repeat(2049)], /--description is 2,049 characters/],
  ])('migrate with %s: exit 2 naming the limit, no call', async (_label, args, message) => {
    const result = await viaProxy(['migrate', ...args, '--yes'])
    expect(result.code, result.stderr).toBe(2)
    expect(result.stderr).toMatch(message)
    expect(result.calls).toBe(0)
  })
  it.each([
    ['list', [`${'e'.repeat(600)}`]],
    ['list', [`${E}/${'s'.repeat(600)}`]],
    ['get --all', [`${E}/${'s'.repeat(600)}`, '--all']],
  ])('%s of a scope too long to hold a secret: exit 2, no ListSecrets with a filter over 512', async (command, args) => {
    const result = await viaProxy([command.split(' ')[0], ...args])
    expect(result.code, result.stderr).toBe(2)
    expect(result.stderr).toMatch(/is 6\d\d characters, which leaves no room for a name; Secrets Manager allows at most 256 for the whole name/)
    expect(result.calls).toBe(0)
  })
})

describe('set refused by AWS after the value was written', () => {
  it('says the new value is AWSCURRENT and what was not applied, plain and in --json, with the refusal\'s exit code', async () => {
    await runCli(['set', `${E}/api`, 'HALF'], {input: 'first'})
    refuse('TagResource', 'AccessDeniedException', 'User is not authorized to perform: secretsmanager:TagResource')
    try {
      const plain = await viaProxy(['set', `${E}/api`, 'HALF', '--tag', 'owner=payments'], 'second')
      expect(plain.code).toBe(5)
      // Before: exit 5 "Access denied: secretsmanager:TagResource ...", not a word of the value now stored.
      expect(plain.stdout).toMatch(new RegExp(`^updated /${E}/api/HALF \\(version [\\w-]+\\) \\(tags NOT applied\\)\\n$`))
      expect(plain.stderr).toMatch(new RegExp(`Error: /${E}/api/HALF: the new value was stored as version [\\w-]+ and is AWSCURRENT, but the tags were not applied: Access denied: secretsmanager:TagResource`))
      expect(plain.stderr).toContain('Hint: Grant secretsmanager:TagResource')
      expect(plain.stderr).toContain('run the same command again')
      expect((await runCli(['get', `${E}/api`, 'HALF'])).stdout).toBe('second')

      refuse('TagResource', 'ValidationException', 'Tag limit exceeded for this secret.')
      const json = await viaProxy(['set', `${E}/api`, 'HALF', '--description', 'billing', '--tag', 'owner=payments', '--json'], 'third')
      expect(json.code).toBe(2)
      const document = JSON.parse(json.stdout)
      expect(document).toMatchObject({name: `/${E}/api/HALF`, outcome: 'updated', metadataApplied: ['description'], notApplied: ['tags'], error: {exitCode: 2, code: 'ValidationException'}})
      expect(document.error.message).toContain('and the description applied, but the tags were not applied: AWS refused secretsmanager:TagResource')
      const versions = JSON.parse((await runCli(['history', `${E}/api`, 'HALF', '--json'])).stdout).versions
      expect(versions.find((version: {stages: string[]}) => version.stages.includes('AWSCURRENT')).versionId).toBe(document.versionId)
      expect((await client().send(new DescribeSecretCommand({SecretId: `/${E}/api/HALF`}))).Description).toBe('billing')
    } finally {
      refusals.clear()
    }
  })

  it('on an identical value, says which metadata was applied before the refusal', async () => {
    refuse('TagResource', 'ValidationException', 'Tag limit exceeded for this secret.')
    try {
      const result = await viaProxy(['set', `${E}/api`, 'EXISTING', '--description', 'kept', '--tag', 'owner=payments'], 'old-value')
      expect(result.code).toBe(2)
      expect(result.stdout).toBe(`unchanged /${E}/api/EXISTING (value identical; description applied; tags NOT applied)\n`)
      expect(result.stderr).toContain('the value was identical (no version written) and the description applied, but the tags were not applied')
    } finally {
      refusals.clear()
    }
  })

  it('set --field whose stage move is refused says which version holds the new value and that it is not AWSCURRENT', async () => {
    await runCli(['set', `${E}/api`, 'DB'], {input: '{"user":"app","password":"old"}'})
    refuse('UpdateSecretVersionStage', 'AccessDeniedException', 'User is not authorized to perform: secretsmanager:UpdateSecretVersionStage')
    try {
      const result = await viaProxy(['set', `${E}/api`, 'DB', '--field', 'password', '--json'], 'new')
      expect(result.code).toBe(5)
      // Before: only "Access denied: secretsmanager:UpdateSecretVersionStage ...", not a word of the version written.
      expect(JSON.parse(result.stdout).error.message).toMatch(
        new RegExp(`^/${E}/api/DB: version [\\w-]+ was written with the new value \\(the label SECRETSCLI_PENDING, which the next field write moves\\) but did not become AWSCURRENT, which still holds the value before it: Access denied`),
      )
      expect((await runCli(['get', `${E}/api`, 'DB', '--field', 'password'])).stdout).toBe('old')
    } finally {
      refusals.clear()
    }
  })
})
