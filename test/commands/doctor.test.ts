import {mkdtemp, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {beforeAll, describe, expect, it} from 'vitest'

import {closedPort} from '../helpers/emulator.js'
import {runCli, uniqueEnv, useOwnEmulator} from '../helpers/cli.js'
import {credentialSource} from '../../src/aws/credential-source.js'
import {deniedBecause} from '../../src/aws/errors.js'

// doctor reads account-wide listings (ACCOUNT_WIDE_COMMANDS).
await useOwnEmulator()
const env = uniqueEnv('doctor')
const KEY_ID = 'AKIAIOSFODNN7EXAMPLE'
const SECRET_KEY = 'canary-secret-access-key-31f'
const credentials = {AWS_ACCESS_KEY_ID: KEY_ID, AWS_SECRET_ACCESS_KEY: SECRET_KEY}

beforeAll(async () => {
  expect((await runCli(['set', `${env}/api`, 'DB_PASS'], {input: 'canary-value-doctor'})).code).toBe(0)
})

describe('secrets doctor (against the emulator)', () => {
  it('passes with good credentials, naming source, account, region and endpoint, and never a credential', async () => {
    const result = await runCli(['doctor', `${env}/api`, '--json'], {env: credentials})
    expect(result.code).toBe(0)
    const report = JSON.parse(result.stdout)
    expect(report).toMatchObject({
      ok: true,
      exitCode: 0,
      account: '123456789012',
      region: 'us-east-1',
      scope: `${env}/api`,
      credentials: {kind: 'environment', accessKeyIdEndsWith: 'MPLE', temporary: false},
    })
    expect(report.endpoints.secretsmanager).toMatch(/^http:\/\/127\.0\.0\.1:\d+ \(AWS_ENDPOINT_URL\)$/)
    const status = Object.fromEntries(report.checks.map((check: {id: string; status: string}) => [check.id, check.status]))
    expect(status).toMatchObject({
      credentials: 'ok',
      region: 'ok',
      identity: 'ok',
      secretsmanager: 'ok',
      ssm: 'ok',
      [`${env}/api: ListSecrets`]: 'ok',
      [`${env}/api: BatchGetSecretValue`]: 'ok',
      [`${env}/api: GetSecretValue`]: 'ok',
      [`${env}/api: DescribeSecret`]: 'ok',
      [`${env}/api: PutSecretValue`]: 'info',
    })
    for (const output of [result.stdout, result.stderr]) {
      expect(output).not.toContain(KEY_ID)
      expect(output).not.toContain(SECRET_KEY)
      expect(output).not.toContain('canary-value-doctor')
    }

    const human = await runCli(['doctor', `${env}/api`], {env: credentials})
    expect(human.code).toBe(0)
    expect(human.stdout).toMatch(/identity\s+ok\s+account 123456789012/)
    expect(human.stdout).toContain('All checks passed.')
    expect(human.stdout + human.stderr).not.toContain(SECRET_KEY)
  })

  it('skips the scope reads when the scope is empty, and still passes', async () => {
    const result = await runCli(['doctor', `${env}/empty`, '--json'])
    expect(result.code).toBe(0)
    const check = JSON.parse(result.stdout).checks.find((entry: {id: string}) => entry.id === `${env}/empty: GetSecretValue`)
    expect(check).toMatchObject({status: 'skip', detail: `no secret in ${env}/empty to try it on`})
  })

  it('exits 5 without credentials, and says how to provide them', async () => {
    const result = await runCli(['doctor', `${env}/api`], {env: {AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined}})
    expect(result.code).toBe(5)
    expect(result.stdout).toMatch(/credentials\s+fail\s+none found/)
    expect(result.stdout).toMatch(/identity\s+skip\s+needs credentials/)
    expect(result.stdout).toMatch(/Fix: .*AWS_PROFILE.*AWS_ACCESS_KEY_ID/)
  })

  it('exits 6 when the endpoint does not answer', async () => {
    const endpoint = `http://127.0.0.1:${await closedPort()}`
    const result = await runCli(['doctor', '--endpoint-url', endpoint, '--json'], {env: {AWS_MAX_ATTEMPTS: '1'}})
    expect(result.code).toBe(6)
    const report = JSON.parse(result.stdout)
    expect(report.endpoints.sts).toBe(`${endpoint} (--endpoint-url)`)
    expect(report.checks.find((check: {id: string}) => check.id === 'identity')).toMatchObject({status: 'fail', exitCode: 6, fix: expect.stringMatching(/endpoint-url/)})
  })

  it('exits 2 without a region, naming the ways to set one', async () => {
    const result = await runCli(['doctor', '--quiet'], {env: {AWS_REGION: undefined}})
    expect(result.code).toBe(2)
    expect(result.stdout).toMatch(/region: no region is configured\n\s+Fix: Pass --region, set AWS_REGION/)
    expect(result.stdout).not.toContain('CHECK')
  })

  it('prints nothing with --quiet when all is well', async () => {
    const result = await runCli(['doctor', '-q'])
    expect(result.code).toBe(0)
    expect(result.stdout).toBe('')
    expect(result.stderr).toBe('')
  })
})

describe('credentialSource', () => {
  let config: string
  beforeAll(async () => {
    const dir = await mkdtemp(join(tmpdir(), 'secrets-doctor-'))
    config = join(dir, 'config')
    await writeFile(
      config,
      [
        '[default]',
        'region = eu-west-1',
        '[profile dev]',
        'sso_session = corp',
        'sso_account_id = 111111111111',
        '[sso-session corp]',
        'sso_start_url = https://example.awsapps.com/start',
        '[profile deploy]',
        'role_arn = arn:aws:iam::111111111111:role/deploy',
        'source_profile = default',
        '[profile tool]',
        'credential_process = /usr/bin/get-creds',
      ].join('\n'),
    )
  })

  const base = () => ({AWS_CONFIG_FILE: config, AWS_SHARED_CREDENTIALS_FILE: '/dev/null'})

  it.each([
    ['--profile with SSO', {}, 'dev', 'sso', /profile dev \(--profile\), IAM Identity Center/],
    ['AWS_PROFILE with an assumed role', {AWS_PROFILE: 'deploy'}, undefined, 'assume-role', /profile deploy \(AWS_PROFILE\)/],
    ['credential_process', {AWS_PROFILE: 'tool'}, undefined, 'process', /credential_process/],
    ['keys in the environment', {AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'y', AWS_SESSION_TOKEN: 'z'}, undefined, 'environment', /AWS_SESSION_TOKEN/],
    ['a profile over keys, as the SDK does', {AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'y'}, 'dev', 'sso', /dev/],
  ])('recognises %s', async (_, extra, flag, kind, description) => {
    const source = await credentialSource({...base(), ...extra}, flag)
    expect(source.kind).toBe(kind)
    expect(source.description).toMatch(description)
  })

  it.each([
    ['the default profile', {}, 'profile'],
    ['the container', {AWS_CONFIG_FILE: '/dev/null', AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: '/v2/credentials/x'}, 'container'],
    ['web identity', {AWS_CONFIG_FILE: '/dev/null', AWS_WEB_IDENTITY_TOKEN_FILE: '/var/run/token', AWS_ROLE_ARN: 'arn:aws:iam::1:role/r'}, 'web-identity'],
    ['the instance', {AWS_CONFIG_FILE: '/dev/null'}, 'instance'],
    ['nothing', {AWS_CONFIG_FILE: '/dev/null', AWS_EC2_METADATA_DISABLED: 'true'}, 'none'],
  ])('falls back to %s', async (_, extra, kind) => {
    expect((await credentialSource({...base(), ...extra})).kind).toBe(kind)
  })

  it('does not lead with instance metadata when nothing is configured: it says so, and names the instance second', async () => {
    const {description} = await credentialSource({...base(), AWS_CONFIG_FILE: '/dev/null'})
    expect(description).toMatch(/^none configured \(no profile, no keys in the environment\); on an EC2 instance, its instance profile$/)
  })
})

describe('deniedBecause', () => {
  it.each([
    ['User: arn:aws:iam::1:user/u is not authorized to perform: secretsmanager:GetSecretValue on resource: x because no identity-based policy allows the secretsmanager:GetSecretValue action', 'no identity-based policy allows it'],
    ['... with an explicit deny in a service control policy', 'explicitly denied by a service control policy'],
    ['... with an explicit deny in a resource-based policy', 'explicitly denied by a resource-based policy'],
    ['... with an explicit deny in a permissions boundary policy', 'explicitly denied by a permissions boundary policy'],
    ['The security token included in the request is invalid.', 'the credentials are not valid for this account or endpoint'],
    ['Access denied', undefined],
  ])('explains %j', (message, why) => {
    expect(deniedBecause(message)).toBe(why)
  })
})
