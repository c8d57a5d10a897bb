import {mkdir, mkdtemp, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {DescribeSecretCommand, GetSecretValueCommand, SecretsManagerClient} from '@aws-sdk/client-secrets-manager'
import {AssumeRoleCommand, STSClient} from '@aws-sdk/client-sts'
import {beforeAll, describe, expect, inject, it} from 'vitest'

import {runCli, uniqueEnv} from '../helpers/cli.js'

/**
 * Environments in different accounts and regions, against the emulator: it keeps accounts apart when a
 * role in another account is assumed (the credentials STS hands out belong to that account), and its
 * default credentials are account 123456789012.
 */
const STAGING_ROLE = 'arn:aws:iam::222222222222:role/secrets-admin'
const DEFAULT_ACCOUNT = '123456789012'

const endpoint = inject('emulatorEndpoint')
const base = {accessKeyId: 'testing', secretAccessKey: 'testing'}

let stagingCredentials: {accessKeyId: string; secretAccessKey: string; sessionToken?: string}

/** A direct client, outside the CLI: as the staging role (account 222222222222) or with the default credentials. */
function client(region: string, as: 'staging-role' | 'default'): SecretsManagerClient {
  return new SecretsManagerClient({region, endpoint, credentials: as === 'staging-role' ? stagingCredentials : base})
}

async function read(region: string, as: 'staging-role' | 'default', name: string): Promise<string | undefined> {
  try {
    return (await client(region, as).send(new GetSecretValueCommand({SecretId: name, VersionStage: 'AWSCURRENT'}))).SecretString
  } catch (error) {
    if ((error as Error).name === 'ResourceNotFoundException') return undefined
    throw error
  }
}

const staging = uniqueEnv('stg')
const prod = uniqueEnv('prd')
const wrong = uniqueEnv('wrg')
let project: string

beforeAll(async () => {
  const sts = new STSClient({region: 'us-west-2', endpoint, credentials: base})
  const assumed = await sts.send(new AssumeRoleCommand({RoleArn: STAGING_ROLE, RoleSessionName: 'environments-test'}))
  const credentials = assumed.Credentials!
  stagingCredentials = {accessKeyId: credentials.AccessKeyId!, secretAccessKey: credentials.SecretAccessKey!, sessionToken: credentials.SessionToken}

  project = await mkdtemp(join(tmpdir(), 'secrets-environments-'))
  await writeFile(
    join(project, 'secrets.yml'),
    `service: api
environments:
  ${staging}:
    role: ${STAGING_ROLE}
    region: us-west-2
    account: "222222222222"
    kmsKeyId: alias/staging-secrets
    replicaRegions: [eu-west-1]
  ${prod}:
    region: us-east-1
    account: "${DEFAULT_ACCOUNT}"
  ${wrong}:
    region: us-east-1
    account: "999999999999"
functions:
  checkout: [DB_PASS]
`,
  )
  // The secret the reading tests read, promote copies and diff compares: set once, through the CLI
  // and the staging environment, so no test depends on another having run first.
  const seeded = await runCli(['set', `${staging}/api`, 'DB_PASS'], {cwd: project, input: 'canary-staging-1'})
  expect(seeded.code, seeded.stderr).toBe(0)
})

function cli(args: string[], input?: string, cwd = project) {
  return runCli(args, {cwd, input})
}

describe('an environment in another account (role) and region', () => {
  it('lands a secret set in it in that account and region, not in the default account', async () => {
    const result = await cli(['set', `${staging}/api`, 'LANDED'], 'canary-staging-landed')
    expect(result.code, result.stderr).toBe(0)
    expect(result.stdout).toContain(`created /${staging}/api/LANDED`)
    const name = `/${staging}/api/LANDED`
    expect(await read('us-west-2', 'staging-role', name)).toBe('canary-staging-landed')
    expect(await read('us-west-2', 'default', name)).toBeUndefined()
    expect(await read('us-east-1', 'default', name)).toBeUndefined()
    expect(await read('us-east-1', 'staging-role', name)).toBeUndefined()
    const described = await client('us-west-2', 'staging-role').send(new DescribeSecretCommand({SecretId: name}))
    expect(described.ARN).toMatch(/^arn:aws:secretsmanager:us-west-2:222222222222:secret:/)
  })

  it('finds the file walking up from a nested working directory', async () => {
    const nested = join(project, 'services', 'api')
    await mkdir(nested, {recursive: true})
    const result = await cli(['set', `${staging}/api`, 'NESTED'], 'canary-nested', nested)
    expect(result.code, result.stderr).toBe(0)
    expect(await read('us-west-2', 'staging-role', `/${staging}/api/NESTED`)).toBe('canary-nested')
    expect(await read('us-east-1', 'default', `/${staging}/api/NESTED`)).toBeUndefined()
  })

  it('reads it back through the same environment, and --json shows the replicas', async () => {
    const result = await cli(['get', `${staging}/api`, 'DB_PASS', '--json'])
    expect(result.code, result.stderr).toBe(0)
    const json = JSON.parse(result.stdout)
    expect(json.value).toBe('canary-staging-1')
    expect(json.replication).toEqual([expect.objectContaining({region: 'eu-west-1', status: 'InSync'})])
    const listed = JSON.parse((await cli(['list', `${staging}/api`, '--json'])).stdout)
    expect(listed.secrets.find((secret: {shortName: string}) => secret.shortName === 'DB_PASS').replication).toEqual([
      expect.objectContaining({region: 'eu-west-1', status: 'InSync'}),
    ])
  })

  it('creates new secrets with the environment\'s KMS key and a replica in the replica region', async () => {
    const name = `/${staging}/api/DB_PASS`
    const described = await client('us-west-2', 'staging-role').send(new DescribeSecretCommand({SecretId: name}))
    expect(described.KmsKeyId).toBe('alias/staging-secrets')
    // The replica is a secret of its own in eu-west-1, same account, pointing back at its primary.
    expect(await read('eu-west-1', 'staging-role', name)).toBe('canary-staging-1')
    const replica = await client('eu-west-1', 'staging-role').send(new DescribeSecretCommand({SecretId: name}))
    expect(replica.PrimaryRegion).toBe('us-west-2')
    expect(await read('eu-west-1', 'default', name)).toBeUndefined()
  })

  it('lets --kms-key-id win over the file\'s key', async () => {
    const result = await cli(['set', `${staging}/api`, 'OWN_KEY', '--kms-key-id', 'alias/other'], 'canary-own-key')
    expect(result.code, result.stderr).toBe(0)
    const described = await client('us-west-2', 'staging-role').send(new DescribeSecretCommand({SecretId: `/${staging}/api/OWN_KEY`}))
    expect(described.KmsKeyId).toBe('alias/other')
  })

  it('lets --region win over the file (the role is still assumed)', async () => {
    const result = await cli(['set', `${staging}/api`, 'EAST', '--region', 'us-east-1'], 'canary-east')
    expect(result.code, result.stderr).toBe(0)
    expect(await read('us-east-1', 'staging-role', `/${staging}/api/EAST`)).toBe('canary-east')
    expect(await read('us-west-2', 'staging-role', `/${staging}/api/EAST`)).toBeUndefined()
  })
})

describe('the account guard', () => {
  it('refuses a write when the credentials are another account: exit 5, both accounts named, nothing written', async () => {
    const result = await cli(['set', `${wrong}/api`, 'GUARDED'], 'canary-guarded')
    expect(result.code).toBe(5)
    expect(result.stderr).toContain('999999999999')
    expect(result.stderr).toContain(DEFAULT_ACCOUNT)
    expect(result.stderr).toContain('nothing was written')
    expect(result.stderr).not.toContain('canary-guarded')
    expect(await read('us-east-1', 'default', `/${wrong}/api/GUARDED`)).toBeUndefined()
  })

  it('still applies when --profile replaces the environment\'s role', async () => {
    const config = join(project, 'aws-config')
    await writeFile(config, '[profile other]\naws_access_key_id = testing\naws_secret_access_key = testing\nregion = us-west-2\n')
    const result = await runCli(['set', `${staging}/api`, 'VIA_PROFILE', '--profile', 'other'], {cwd: project, input: 'canary-profile', env: {AWS_CONFIG_FILE: config}})
    expect(result.code).toBe(5)
    expect(result.stderr).toContain('222222222222')
    expect(result.stderr).toContain(DEFAULT_ACCOUNT)
    expect(await read('us-west-2', 'default', `/${staging}/api/VIA_PROFILE`)).toBeUndefined()
    expect(await read('us-west-2', 'staging-role', `/${staging}/api/VIA_PROFILE`)).toBeUndefined()
  })

  it('guards delete, promote and migrate too, and lets reads through', async () => {
    const dotenv = join(project, '.env.guard')
    await writeFile(dotenv, 'A=canary-migrate\n')
    expect((await cli(['delete', `${wrong}/api`, 'X', '--yes'])).code).toBe(5)
    expect((await cli(['migrate', '--from-dotenv', dotenv, '--to', `${wrong}/api`])).code).toBe(5)
    expect((await cli(['promote', `${staging}/api`, `${wrong}/api`, '--yes'])).code).toBe(5)
    expect((await cli(['list', `${wrong}/api`])).code).toBe(0)
    expect(await read('us-east-1', 'default', `/${wrong}/api/A`)).toBeUndefined()
    expect(await read('us-east-1', 'default', `/${wrong}/api/DB_PASS`)).toBeUndefined()
  })
})

describe('across accounts', () => {
  it('promote reads the staging account and writes the prod one', async () => {
    const result = await cli(['promote', `${staging}/api`, `${prod}/api`, '--secret', 'DB_PASS', '--yes', '--json'])
    expect(result.code, result.stderr).toBe(0)
    expect(JSON.parse(result.stdout).totals.created).toBe(1)
    expect(await read('us-east-1', 'default', `/${prod}/api/DB_PASS`)).toBe('canary-staging-1')
    expect(await read('us-west-2', 'staging-role', `/${prod}/api/DB_PASS`)).toBeUndefined()
    expect(await read('us-east-1', 'staging-role', `/${prod}/api/DB_PASS`)).toBeUndefined()
  })

  it('diff compares the two accounts', async () => {
    // A prod scope of its own, holding DB_PASS only, and a staging secret it lacks: the test needs no
    // other to have run.
    expect((await cli(['set', `${staging}/api`, 'ONLY_STAGING'], 'canary-only-staging')).code).toBe(0)
    expect((await cli(['promote', `${staging}/api`, `${prod}/mirror`, '--secret', 'DB_PASS', '--yes'])).code).toBe(0)
    const result = await cli(['diff', `${staging}/api`, `${prod}/mirror`, '--json'])
    const report = JSON.parse(result.stdout)
    expect(report.secrets).toContainEqual({name: 'DB_PASS', state: 'equal'})
    expect(report.secrets).toContainEqual({name: 'ONLY_STAGING', state: 'only-left'})
    expect(report.secrets.filter((entry: {name: string}) => entry.name !== 'DB_PASS').map((entry: {state: string}) => entry.state)).not.toContain('equal')
    // EAST went to us-east-1 with --region: staging's own region does not have it.
    expect(report.secrets.map((entry: {name: string}) => entry.name)).not.toContain('EAST')
    expect(result.code).toBe(8)
  })

  it('migrate writes a .env into the environment\'s account', async () => {
    const dotenv = join(project, '.env.staging')
    await writeFile(dotenv, 'FROM_DOTENV=canary-dotenv\n')
    const result = await cli(['migrate', '--from-dotenv', dotenv, '--to', `${staging}/worker`, '--json'])
    expect(result.code, result.stderr).toBe(0)
    expect(await read('us-west-2', 'staging-role', `/${staging}/worker/FROM_DOTENV`)).toBe('canary-dotenv')
    expect(await read('us-west-2', 'default', `/${staging}/worker/FROM_DOTENV`)).toBeUndefined()
  })

  it('grant places the policy in the environment\'s account and region', async () => {
    const result = await cli(['grant', `${staging}/api`, '--function', 'checkout', '--secret', 'DB_PASS'])
    expect(result.code, result.stderr).toBe(0)
    expect(result.stdout).toContain(`arn:aws:secretsmanager:us-west-2:222222222222:secret:/${staging}/api/DB_PASS-??????`)
    const declared = await cli(['grant', '--env', prod, '--json'])
    expect(declared.code, declared.stderr).toBe(0)
    expect(JSON.parse(declared.stdout)).toMatchObject({account: DEFAULT_ACCOUNT, region: 'us-east-1'})
  })

  it('grant asks STS as the environment\'s role when the file gives no account', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'secrets-grant-role-'))
    await writeFile(join(dir, 'secrets.yml'), `environments:\n  ${staging}:\n    role: ${STAGING_ROLE}\n    region: us-west-2\n`)
    const result = await cli(['grant', `${staging}/api`, '--function', 'checkout', '--json'], undefined, dir)
    expect(result.code, result.stderr).toBe(0)
    expect(JSON.parse(result.stdout)).toMatchObject({account: '222222222222', region: 'us-west-2'})
  })
})
