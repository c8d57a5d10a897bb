import {mkdir, mkdtemp, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {GetSecretValueCommand, SecretsManagerClient} from '@aws-sdk/client-secrets-manager'
import {describe, expect, it} from 'vitest'

import {runCli, uniqueEnv, useOwnEmulator} from '../helpers/cli.js'

const ROLE = 'arn:aws:iam::222222222222:role/secrets-admin'
// doctor and audit read the whole account (ACCOUNT_WIDE_COMMANDS).
const {endpoint} = await useOwnEmulator()

async function projectWith(text: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'secrets-env-cmd-'))
  await writeFile(join(dir, 'secrets.yml'), text)
  return dir
}

/** Reads with the emulator's default credentials (account 123456789012). */
async function readDefault(region: string, name: string): Promise<string | undefined> {
  const client = new SecretsManagerClient({region, endpoint, credentials: {accessKeyId: 'testing', secretAccessKey: 'testing'}})
  try {
    return (await client.send(new GetSecretValueCommand({SecretId: name, VersionStage: 'AWSCURRENT'}))).SecretString
  } catch (error) {
    if ((error as Error).name === 'ResourceNotFoundException') return undefined
    throw error
  }
}

describe('an invalid secrets.yml', () => {
  it.each([
    ['an unknown key', 'environments:\n  prod:\n    region: us-east-1\n    acount: "111111111111"\n', 4, 'unknown key "acount"'],
    ['an invalid role ARN', 'environments:\n  prod:\n    role: arn:aws:iam::role/admin\n', 3, 'not an IAM role ARN'],
    ['an invalid region', 'environments:\n  prod:\n    region: us-east\n', 3, 'not an AWS region'],
    ['an invalid account', 'environments:\n  prod:\n    account: "12345"\n', 3, '12-digit AWS account id'],
    ['profile and role both', 'environments:\n  prod:\n    profile: acme\n    role: arn:aws:iam::111111111111:role/x\n', 4, 'both profile and role'],
  ])('refuses %s with the file, the line and exit 2, before any AWS call', async (_, text, line, message) => {
    const dir = await projectWith(text)
    const result = await runCli(['set', 'prod/api', 'X'], {cwd: dir, input: 'v', env: {AWS_ENDPOINT_URL: 'http://127.0.0.1:9'}})
    expect(result.code).toBe(2)
    expect(result.stderr).toContain(`secrets.yml:${line}: `)
    expect(result.stderr).toContain(message)
  })

  it('reports the problem as a JSON error with --json', async () => {
    const dir = await projectWith('environments:\n  prod:\n    region: nowhere\n')
    const result = await runCli(['list', 'prod', '--json'], {cwd: dir})
    expect(result.code).toBe(2)
    expect(JSON.parse(result.stdout)).toMatchObject({error: {code: 'USAGE', exitCode: 2, message: expect.stringContaining('secrets.yml:3:')}})
  })

  it('refuses a value that looks like a credential, without printing it', async () => {
    const token = 'ghp_abcdefghijklmnopqrstuvwxyzABCDEF123456'
    const dir = await projectWith(`environments:\n  prod:\n    region: us-east-1\n    profile: ${token}\n`)
    const result = await runCli(['get', 'prod/api', 'X'], {cwd: dir})
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('secrets.yml:4: the value of profile looks like a credential')
    expect(result.stdout + result.stderr).not.toContain(token)
  })

  it('refuses a secret-sounding key, without printing its value', async () => {
    const dir = await projectWith('environments:\n  prod:\n    region: us-east-1\n    db_password: "correct horse battery"\n')
    const result = await runCli(['list', 'prod'], {cwd: dir})
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('secrets.yml:4:')
    expect(result.stderr).toContain('never holds')
    expect(result.stderr).not.toContain('correct horse')
  })
})

describe('without secrets.yml', () => {
  it('behaves as before: the default account and AWS_REGION', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'secrets-no-file-'))
    const env = uniqueEnv('nofile')
    const result = await runCli(['set', `${env}/api`, 'PLAIN'], {cwd: dir, input: 'canary-plain'})
    expect(result.code, result.stderr).toBe(0)
    expect(await readDefault('us-east-1', `/${env}/api/PLAIN`)).toBe('canary-plain')
  })

  it('keeps today\'s behaviour for an environment the file does not list', async () => {
    const env = uniqueEnv('unlisted')
    const dir = await projectWith(`environments:\n  other-${env}:\n    role: ${ROLE}\n    region: us-west-2\n`)
    const result = await runCli(['set', `${env}/api`, 'PLAIN'], {cwd: dir, input: 'canary-unlisted'})
    expect(result.code, result.stderr).toBe(0)
    expect(await readDefault('us-east-1', `/${env}/api/PLAIN`)).toBe('canary-unlisted')
  })
})

describe('--config and flags', () => {
  it('reads --config FILE instead of looking for secrets.yml', async () => {
    const env = uniqueEnv('cfg')
    const dir = await mkdtemp(join(tmpdir(), 'secrets-config-flag-'))
    await mkdir(join(dir, 'deploy'))
    await writeFile(join(dir, 'deploy', 'envs.yml'), `environments:\n  ${env}:\n    region: ap-southeast-2\n`)
    const result = await runCli(['set', `${env}/api`, 'K', '--config', 'deploy/envs.yml'], {cwd: dir, input: 'canary-config'})
    expect(result.code, result.stderr).toBe(0)
    expect(await readDefault('ap-southeast-2', `/${env}/api/K`)).toBe('canary-config')
    expect(await readDefault('us-east-1', `/${env}/api/K`)).toBeUndefined()
    expect((await runCli(['list', env, '--config', 'missing.yml'], {cwd: dir})).code).toBe(2)
  })

  it('lets --profile replace the environment\'s role (no guard set: it lands in the profile\'s account)', async () => {
    const env = uniqueEnv('prof')
    const dir = await projectWith(`environments:\n  ${env}:\n    role: ${ROLE}\n    region: us-west-2\n`)
    const config = join(dir, 'aws-config')
    await writeFile(config, '[profile plain]\naws_access_key_id = testing\naws_secret_access_key = testing\n')
    const result = await runCli(['set', `${env}/api`, 'K', '--profile', 'plain'], {cwd: dir, input: 'canary-prof', env: {AWS_CONFIG_FILE: config}})
    expect(result.code, result.stderr).toBe(0)
    // Default account (the profile's keys), the file's region (no --region given).
    expect(await readDefault('us-west-2', `/${env}/api/K`)).toBe('canary-prof')
  })
})

describe('doctor and audit with environments', () => {
  it('doctor checks every environment of the file, with its account guard', async () => {
    const good = uniqueEnv('docg')
    const bad = uniqueEnv('docb')
    const dir = await projectWith(
      `environments:\n  ${good}:\n    role: ${ROLE}\n    region: us-west-2\n    account: "222222222222"\n  ${bad}:\n    region: us-east-1\n    account: "999999999999"\n`,
    )
    const result = await runCli(['doctor', '--json'], {cwd: dir})
    expect(result.code).toBe(5)
    const report = JSON.parse(result.stdout)
    expect(report.environments.map((entry: {environment: string}) => entry.environment)).toEqual([good, bad])
    const [first, second] = report.environments
    expect(first).toMatchObject({ok: true, account: '222222222222', region: 'us-west-2', credentials: {kind: 'assume-role'}})
    expect(second.ok).toBe(false)
    expect(second.checks).toEqual(expect.arrayContaining([expect.objectContaining({id: 'account', status: 'fail'})]))
    // As text: one section per environment under its name and the file, and the same exit code;
    // --quiet leaves only the failing environment's problems.
    const text = await runCli(['doctor'], {cwd: dir})
    expect(text.code).toBe(5)
    const file = join(dir, 'secrets.yml')
    expect(text.stdout.indexOf(`== ${good} (${file})\n`)).toBe(0)
    expect(text.stdout).toContain(`\nAll checks passed.\n\n== ${bad} (${file})\n`)
    expect(text.stdout).toContain(`Problems:\n  x account: secrets.yml expects account 999999999999 for ${bad}, but`)
    expect(text.stdout).toMatch(/\n\nExit 5: fix the first problem above and run "secrets doctor" again\.\n\n$/)
    const quiet = await runCli(['doctor', '--quiet'], {cwd: dir})
    expect(quiet.code).toBe(5)
    expect(quiet.stdout).toMatch(new RegExp(`^== ${bad} \\(.*\\)\nProblems:\n  x account: `))
    expect(quiet.stdout).not.toContain(good)
  })

  it('doctor ENV/SERVICE checks that environment only', async () => {
    const env = uniqueEnv('doc1')
    const dir = await projectWith(`environments:\n  ${env}:\n    role: ${ROLE}\n    region: us-west-2\n`)
    const result = await runCli(['doctor', `${env}/api`, '--json'], {cwd: dir})
    expect(result.code, result.stdout).toBe(0)
    expect(JSON.parse(result.stdout)).toMatchObject({account: '222222222222', region: 'us-west-2', scope: `${env}/api`})
  })

  it('audit --env audits that environment\'s account and region', async () => {
    const env = uniqueEnv('aud')
    const dir = await projectWith(`environments:\n  ${env}:\n    role: ${ROLE}\n    region: us-west-2\n`)
    const result = await runCli(['audit', '--env', env, '--only', 'ssm', '--json'], {cwd: dir})
    expect(result.code, result.stderr).toBe(0)
    expect(JSON.parse(result.stdout).region).toBe('us-west-2')
  })
})
