import {chmod, mkdtemp, readFile, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {runCli, uniqueEnv} from '../helpers/cli.js'
import {makeSandbox, type Sandbox, spawnRecords} from './sandbox.js'

const E = uniqueEnv('credproc')
const CANARY = `canary-${Math.random().toString(36).slice(2)}-credential-process`

/**
 * A profile's `credential_process` is a child process the SDK starts, by the profile's own command line.
 * What the CLI promises is narrower than "no child at all": the process it runs is exactly the configured
 * one, and no value reaches its argv or its environment.
 */
describe('a profile with credential_process', () => {
  let sandbox: Sandbox
  let dir: string
  let seen: string

  beforeAll(async () => {
    sandbox = await makeSandbox()
    dir = await mkdtemp(join(tmpdir(), 'secrets-credproc-'))
    seen = join(dir, 'seen.jsonl')
    const helper = join(dir, 'creds.cjs')
    // The configured process records its own argv and environment, then answers as a credential process does.
    await writeFile(
      helper,
      [
        '#!/usr/bin/env node',
        `require('node:fs').appendFileSync(${JSON.stringify(seen)}, JSON.stringify({argv: process.argv.slice(2), env: process.env}) + '\\n')`,
        "process.stdout.write(JSON.stringify({Version: 1, AccessKeyId: 'testing', SecretAccessKey: 'testing'}))",
      ].join('\n'),
    )
    await chmod(helper, 0o755)
    await writeFile(join(dir, 'config'), `[profile vault]\ncredential_process = ${helper} --from-config\nregion = us-east-1\n`)
  })

  afterAll(async () => {
    await Promise.all([sandbox.root, dir].map((path) => rm(path, {recursive: true, force: true})))
  })

  it('runs only the configured command, and no value reaches its argv or environment', async () => {
    const env = {
      ...sandbox.env,
      AWS_CONFIG_FILE: join(dir, 'config'),
      AWS_ACCESS_KEY_ID: undefined,
      AWS_SECRET_ACCESS_KEY: undefined,
    }
    const set = await runCli(['set', `${E}/api`, 'TOKEN', '--profile', 'vault'], {input: `${CANARY}\n`, env})
    expect(set.code, set.stderr).toBe(0)
    const get = await runCli(['get', `${E}/api`, 'TOKEN', '--profile', 'vault'], {env})
    expect(get.stdout.trim()).toBe(CANARY)

    const children = (await spawnRecords(sandbox)).filter((record) => record.kind !== 'exit-env')
    // The SDK starts the credential process (once per command); the CLI starts nothing else.
    expect(children.length).toBeGreaterThanOrEqual(2)
    for (const child of children) expect(`${child.file} ${(child.args ?? []).join(' ')}`).toContain('creds.cjs --from-config')

    const runs = (await readFile(seen, 'utf8')).trim().split('\n')
    expect(runs.length).toBe(children.length)
    for (const run of runs) {
      expect(JSON.parse(run).argv).toEqual(['--from-config'])
      expect(run).not.toContain(CANARY)
    }
  })
})
