/**
 * `list` with no scope lists every secret: those outside /ENV/SERVICE/NAME (made by RDS, other services
 * or tools) are shown apart, never silently left out. It reads the whole account: its own emulator.
 */
import {CreateSecretCommand} from '@aws-sdk/client-secrets-manager'
import {beforeAll, describe, expect, it} from 'vitest'

import {secretsManagerClient} from '../../src/aws/clients.js'
import {runCli, useOwnEmulator} from '../helpers/cli.js'

const emulator = await useOwnEmulator()

beforeAll(async () => {
  const client = await secretsManagerClient({endpointUrl: emulator.endpoint, region: 'us-east-1'})
  for (const name of ['/prod/api/DB_PASS', 'legacy-db-password', 'team@example.com/token']) {
    await client.send(new CreateSecretCommand({Name: name, SecretString: 'v'}))
  }
})

describe('list with no scope', () => {
  it('shows the secrets outside the scheme apart, with how to read them', async () => {
    const result = await runCli(['list'])
    expect(result.code, result.stderr).toBe(0)
    const [inScheme, apart] = result.stdout.split('2 secrets outside the /ENV/SERVICE/NAME scheme')
    expect(inScheme).toContain('/prod/api/DB_PASS')
    expect(inScheme).not.toContain('legacy-db-password')
    expect(apart).toContain('secrets get --id NAME')
    expect(apart).toContain('legacy-db-password')
    expect(apart).toContain('team@example.com/token')
  })

  it('keeps them apart in --json too', async () => {
    const result = await runCli(['list', '--json'])
    const listed = JSON.parse(result.stdout) as {secrets: {name: string}[]; outside: {name: string}[]}
    expect(listed.secrets.map((secret) => secret.name)).toEqual(['/prod/api/DB_PASS'])
    expect(listed.outside.map((secret) => secret.name).sort()).toEqual(['legacy-db-password', 'team@example.com/token'])
  })

  it('with a scope, lists that scope alone, as before', async () => {
    const listed = JSON.parse((await runCli(['list', 'prod', '--json'])).stdout) as {secrets: {name: string}[]; outside?: unknown}
    expect(listed.secrets.map((secret) => secret.name)).toEqual(['/prod/api/DB_PASS'])
    expect(listed.outside).toBeUndefined()
  })
})
