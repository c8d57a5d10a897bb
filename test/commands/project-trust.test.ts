/**
 * A secrets.yml found by walking up chooses the account writes go to, so a file planted in a shared
 * parent (another user's, or one anyone may edit) must not redirect a value. The tests run as root,
 * who can chown a file to another user (uid 65534, nobody) to play the attacker.
 */
import {chmod, chown, mkdir, mkdtemp, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {GetSecretValueCommand, SecretsManagerClient} from '@aws-sdk/client-secrets-manager'
import {describe, expect, inject, it} from 'vitest'

import {runCli, uniqueEnv} from '../helpers/cli.js'

const endpoint = inject('emulatorEndpoint')
const OPEN_DROP = 'arn:aws:iam::999999999999:role/open-drop'
const asRoot = process.getuid?.() === 0

/** A shared folder (mode 1777, like /tmp) holding secrets.yml, and a user's folder below it. */
async function plantedProject(env: string, options: {owner?: number; mode?: number}): Promise<{shared: string; userDir: string}> {
  const shared = await mkdtemp(join(tmpdir(), 'secrets-shared-'))
  await chmod(shared, 0o1777)
  const file = join(shared, 'secrets.yml')
  await writeFile(file, `environments:\n  ${env}:\n    role: ${OPEN_DROP}\n    region: us-east-1\n`)
  if (options.owner !== undefined) await chown(file, options.owner, options.owner)
  if (options.mode !== undefined) await chmod(file, options.mode)
  const userDir = join(shared, 'userdir')
  await mkdir(userDir)
  return {shared, userDir}
}

async function exists(name: string): Promise<boolean> {
  const client = new SecretsManagerClient({region: 'us-east-1', endpoint, credentials: {accessKeyId: 'testing', secretAccessKey: 'testing'}})
  try {
    await client.send(new GetSecretValueCommand({SecretId: name, VersionStage: 'AWSCURRENT'}))
    return true
  } catch (error) {
    if ((error as Error).name === 'ResourceNotFoundException') return false
    throw error
  }
}

describe('a secrets.yml found in a parent folder', () => {
  it.runIf(asRoot)('is refused when another user planted it in a shared parent: exit 2, naming the file, before any AWS call', async () => {
    const env = uniqueEnv('planted')
    const {shared, userDir} = await plantedProject(env, {owner: 65534})
    // A dead endpoint: any AWS call would end in exit 6, not 2.
    const result = await runCli(['set', `${env}/api`, 'DB_PASS'], {cwd: userDir, input: 'canary-planted', env: {AWS_ENDPOINT_URL: 'http://127.0.0.1:9'}})
    expect(result.code, result.stderr).toBe(2)
    expect(result.stderr).toContain(`Refusing the project file ${join(shared, 'secrets.yml')}: it belongs to uid 65534`)
    expect(result.stderr).toContain(`--config ${join(shared, 'secrets.yml')}`)
    expect(result.stdout + result.stderr).not.toContain('canary-planted')
  })

  it('is refused when every user may write it', async () => {
    const env = uniqueEnv('openfile')
    const {userDir} = await plantedProject(env, {mode: 0o666})
    const result = await runCli(['list', env], {cwd: userDir, env: {AWS_ENDPOINT_URL: 'http://127.0.0.1:9'}})
    expect(result.code, result.stderr).toBe(2)
    expect(result.stderr).toContain('it is writable by every user')
  })

  it('is used when named with --config, and the write says which file and account chose it', async () => {
    const env = uniqueEnv('named')
    const {shared, userDir} = await plantedProject(env, {mode: 0o666})
    const file = join(shared, 'secrets.yml')
    const result = await runCli(['set', `${env}/api`, 'DB_PASS', '--config', file], {cwd: userDir, input: 'canary-named'})
    expect(result.code, result.stderr).toBe(0)
    expect(result.stderr).toContain(`Environment ${env} from ${file}: writing to account 999999999999, role ${OPEN_DROP}, region us-east-1.`)
    // The role's account, not the default one.
    expect(await exists(`/${env}/api/DB_PASS`)).toBe(false)
  })

  it('says which file and account a write goes to when a trusted file chose them, also with --json', async () => {
    const env = uniqueEnv('trusted')
    const dir = await mkdtemp(join(tmpdir(), 'secrets-trusted-'))
    await writeFile(join(dir, 'secrets.yml'), `environments:\n  ${env}:\n    account: "123456789012"\n    region: us-east-1\n`)
    await mkdir(join(dir, 'sub'))
    for (const json of [false, true]) {
      const result = await runCli(['set', `${env}/api`, `K${json ? 'J' : 'P'}`, ...(json ? ['--json'] : [])], {cwd: join(dir, 'sub'), input: 'v'})
      expect(result.code, result.stderr).toBe(0)
      expect(result.stderr).toContain(`Environment ${env} from ${join(dir, 'secrets.yml')}: writing to account 123456789012, region us-east-1.`)
    }

    // A folder whose name holds terminal controls or a line break is named escaped, on one line.
    const hostile = join(dir, 'x\u001B[2J\u0007\ny\u2028z')
    await mkdir(hostile)
    await writeFile(join(hostile, 'secrets.yml'), `environments:\n  ${env}:\n    account: "123456789012"\n    region: us-east-1\n`)
    const escaped = await runCli(['set', `${env}/api`, 'KH'], {cwd: hostile, input: 'v'})
    expect(escaped.code, escaped.stderr).toBe(0)
    expect(escaped.stderr).toBe(`Environment ${env} from ${dir}/x\\u{1b}[2J\\u{7}\\u{a}y\\u{2028}z/secrets.yml: writing to account 123456789012, region us-east-1.\n`)

    // Reads are not announced.
    const read = await runCli(['get', `${env}/api`, 'KP'], {cwd: join(dir, 'sub')})
    expect(read.stdout).toBe('v')
    expect(read.stderr).toBe('')
  })
})
