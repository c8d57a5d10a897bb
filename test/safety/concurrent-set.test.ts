/**
 * Two processes `set` the same secret at once, several rounds, on a new and on an existing secret:
 * AWSCURRENT ends as one of the two values, both values are kept as versions (when both raced to
 * create, the loser's value lands as a later version), and no version is ever empty or mixed.
 */
import {randomBytes} from 'node:crypto'

import {GetSecretValueCommand, ListSecretVersionIdsCommand} from '@aws-sdk/client-secrets-manager'
import {describe, expect, it} from 'vitest'

import {secretsManagerClient} from '../../src/aws/clients.js'
import {secretStore} from '../fixtures/migrate-helpers.js'
import {runCli, uniqueEnv} from '../helpers/cli.js'
import {SecretValue} from '../../src/core/secret-value.js'

const E = uniqueEnv('race')
const ROUNDS = 4

/** A large, distinctive value: a torn or mixed write could not pass for it. */
const big = (label: string) => `${label}:${randomBytes(12_000).toString('base64')}`

async function versionsOf(name: string): Promise<{current: string | undefined; values: string[]}> {
  const client = await secretsManagerClient({})
  const listed = await client.send(new ListSecretVersionIdsCommand({SecretId: name, IncludeDeprecated: true}))
  const values: string[] = []
  let current: string | undefined
  for (const version of listed.Versions ?? []) {
    const output = await client.send(new GetSecretValueCommand({SecretId: name, VersionId: version.VersionId}))
    values.push(output.SecretString ?? '')
    if (version.VersionStages?.includes('AWSCURRENT')) current = output.SecretString
  }

  return {current, values}
}

async function race(name: string, a: string, b: string) {
  const [first, second] = await Promise.all([runCli(['set', name], {input: a}), runCli(['set', name], {input: b})])
  for (const result of [first, second]) {
    expect(result.code, result.stderr).toBe(0)
    expect(result.stderr).not.toMatch(/^\s{4}at /m)
  }

  return {...(await versionsOf(name)), said: `${first.stdout}${second.stdout}`}
}

describe('two processes setting the same secret at once', () => {
  it.concurrent.each(Array.from({length: ROUNDS}, (_, round) => round))('new secret, round %i: one value current, both kept', async (round) => {
    const name = `/${E}/new/R${round}`
    const [a, b] = [big('A'), big('B')]
    const {current, values, said} = await race(name, a, b)
    expect([a, b]).toContain(current)
    expect(values.length, said).toBe(2)
    expect(values).toContain(a)
    expect(values).toContain(b)
  })

  it.concurrent.each(Array.from({length: ROUNDS}, (_, round) => round))('existing secret, round %i: one value current, both kept, the old one intact', async (round) => {
    const name = `/${E}/old/R${round}`
    const base = big('BASE')
    const store = await secretStore()
    await store.write(name, SecretValue.fromString(base), {overwrite: true, exists: false})
    const [a, b] = [big('A'), big('B')]
    const {current, values} = await race(name, a, b)
    expect([a, b]).toContain(current)
    expect(values).toContain(a)
    expect(values).toContain(b)
    expect(values).toContain(base)
    for (const value of values) expect([a, b, base]).toContain(value)
  })
})
