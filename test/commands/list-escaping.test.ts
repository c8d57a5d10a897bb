import {CreateSecretCommand, SecretsManagerClient} from '@aws-sdk/client-secrets-manager'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {describe, expect, inject, it} from 'vitest'

import {runCli, uniqueEnv} from '../helpers/cli.js'

const env = uniqueEnv('listesc')

describe('list on descriptions written to drive a terminal', () => {
  it('escapes ESC[2J, an OSC title, CR and newlines from AWS, and keeps them intact in --json', async () => {
    const description = 'rotated\u001B[2J\u001B]0;owned\u0007\rfake row\nsecond line'
    const client = new SecretsManagerClient({region: 'us-east-1', endpoint: inject('emulatorEndpoint'), credentials: {accessKeyId: 'testing', secretAccessKey: 'testing'}})
    await client.send(new CreateSecretCommand({Name: `/${env}/api/HOSTILE`, SecretString: 'v', Description: description}))

    const result = await runCli(['list', `${env}/api`])
    expect(result.code, result.stderr).toBe(0)
    expect(result.stdout).toContain('rotated\\u{1b}[2J\\u{1b}]0;owned\\u{7}\\u{d}fake row\\u{a}second line')
    // eslint-disable-next-line no-control-regex
    expect(result.stdout).not.toMatch(/[\u0000-\u0009\u000B-\u001F\u007F]/)
    expect(result.stdout.trimEnd().split('\n')).toHaveLength(2) // the header and one row

    const json = await runCli(['list', `${env}/api`, '--json'])
    expect(JSON.parse(json.stdout).secrets[0].description).toBe(description)
  })
})

describe('migrate on a file name written to drive a terminal', () => {
  it("escapes the name in a warning's line on stderr", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'migrate-esc-'))
    const file = join(dir, 'app\u001B]0;owned\u0007.env')
    writeFileSync(file, 'TOKEN=abc#cut\n')
    try {
      const result = await runCli(['migrate', '--from-dotenv', file, '--to', `${env}/esc`, '--dry-run'])
      expect(result.stderr).toContain('is cut at "#"')
      expect(result.stderr).toContain('app\\u{1b}]0;owned\\u{7}.env')
      // eslint-disable-next-line no-control-regex
      expect(result.stderr).not.toMatch(/[\u0000-\u0009\u000B-\u001F\u007F]/)
    } finally {
      rmSync(dir, {recursive: true, force: true})
    }
  })
})
