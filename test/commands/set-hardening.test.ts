import {DescribeSecretCommand, SecretsManagerClient} from '@aws-sdk/client-secrets-manager'
import {describe, expect, inject, it} from 'vitest'

import {runCli, uniqueEnv} from '../helpers/cli.js'

const env = uniqueEnv('sethard')

describe('set, given a value where a name or flag goes', () => {
  it('masks an unknown flag, which may be a value beginning with "-", plain and in --json', async () => {
    for (const extra of [[], ['--json']]) {
      const result = await runCli(['set', `${env}/api`, 'DASHED', '-canary-dash-41c', ...extra], {input: 'v', env: {DEBUG: extra.length ? '*' : undefined}})
      expect(result.code).toBe(2)
      expect(result.stdout + result.stderr).toContain('Unknown flag (not shown')
      expect(result.stdout + result.stderr).not.toContain('canary-dash-41c')
    }

    expect((await runCli(['get', `${env}/api`, 'DASHED'])).code).toBe(3)
  })

  it('refuses NAME=VALUE (Heroku\'s and Fly\'s syntax) without echoing it, says how to pass the value, and creates nothing', async () => {
    for (const args of [
      ['set', `${env}/api`, 'DB_PASS=canary-assign-7f1'],
      ['set', `/${env}/api/DB_PASS=canary-assign-7f1`],
    ]) {
      const result = await runCli(args, {input: 'from-stdin'})
      expect(result.code).toBe(2)
      expect(result.stderr).toContain('set takes NAME, not NAME=VALUE')
      expect(result.stderr).toMatch(new RegExp(`printf %s "\\$VALUE" \\| secrets set /?${env}/api[ /]DB_PASS\\)`))
      expect(result.stdout + result.stderr).not.toContain('canary-assign-7f1')
    }

    const listed = await runCli(['list', `${env}/api`, '--json'])
    expect(listed.stdout).not.toContain('DB_PASS')
  })
})

describe('set with an unchanged value', () => {
  it('still applies --description and --tag, and says so, plain and in --json', async () => {
    await runCli(['set', `${env}/api`, 'SAME'], {input: 'same-value'})
    const plain = await runCli(['set', `${env}/api`, 'SAME', '--description', 'described later', '--tag', 'owner=payments'], {input: 'same-value'})
    expect(plain.code, plain.stderr).toBe(0)
    // Before: "unchanged /.../SAME" and neither was applied.
    expect(plain.stdout).toBe(`unchanged /${env}/api/SAME (value identical; description and tags applied)\n`)
    const json = await runCli(['set', `${env}/api`, 'SAME', '--tag', 'tier=1', '--json'], {input: 'same-value'})
    expect(JSON.parse(json.stdout)).toEqual({name: `/${env}/api/SAME`, outcome: 'unchanged', metadataApplied: ['tags']})

    const client = new SecretsManagerClient({region: 'us-east-1', endpoint: inject('emulatorEndpoint'), credentials: {accessKeyId: 'testing', secretAccessKey: 'testing'}})
    const described = await client.send(new DescribeSecretCommand({SecretId: `/${env}/api/SAME`}))
    expect(described.Description).toBe('described later')
    expect(Object.fromEntries((described.Tags ?? []).map((tag) => [tag.Key, tag.Value]))).toMatchObject({owner: 'payments', tier: '1'})
    const history = JSON.parse((await runCli(['history', `${env}/api`, 'SAME', '--json'])).stdout)
    expect(history.versions).toHaveLength(1)
  })
})
