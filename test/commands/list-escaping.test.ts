import {CreateSecretCommand, SecretsManagerClient} from '@aws-sdk/client-secrets-manager'
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
