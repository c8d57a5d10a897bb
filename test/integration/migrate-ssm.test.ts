import {beforeAll, describe, expect, it} from 'vitest'

import {
  expectNoValues,
  parameterNames,
  secretStore,
  secretValues,
  seed,
  type SeedParameter,
} from '../fixtures/migrate-helpers.js'
import {runCli, uniqueEnv} from '../helpers/cli.js'

const E = uniqueEnv('mssm')

const json = (stdout: string) => JSON.parse(stdout) as {
  items: {source: string; target?: string; plan: string; outcome: string; reason?: string; sourceDeleted?: boolean; verified?: boolean}[]
  totals: Record<string, number>
  sourcesToDelete: string[]
  exitCode: number
  hint?: string
  dryRun: boolean
  cost?: Record<string, number | boolean>
}

const NASTY_VALUES = {
  secure: 'p@ss w0rd = #not a comment',
  unicode: 'héllo wörld ✓ 🔑 日本語',
  multiline: '-----BEGIN KEY-----\nline two\r\nline three\n-----END KEY-----\n',
  spaces: '   leading and trailing   ',
  list: 'alpha,beta , gamma,,delta',
}

describe('secrets migrate --from-ssm', () => {
  const kinds = (folder: string): SeedParameter[] => [
    {name: `/${E}/${folder}/SECURE`, value: NASTY_VALUES.secure, type: 'SecureString'},
    {name: `/${E}/${folder}/UNICODE`, value: NASTY_VALUES.unicode, type: 'SecureString'},
    {name: `/${E}/${folder}/MULTILINE`, value: NASTY_VALUES.multiline, type: 'String'},
    {name: `/${E}/${folder}/SPACES`, value: NASTY_VALUES.spaces, type: 'String'},
    {name: `/${E}/${folder}/LIST`, value: NASTY_VALUES.list, type: 'StringList'},
  ]
  const types = kinds('kinds')
  // The re-run test migrates a path of its own first, so it needs no other test to have run.
  const rerun = kinds('rerun')

  beforeAll(async () => {
    await seed([...types, ...rerun])
  })

  it('migrates String, StringList and SecureString byte for byte, tagged with their source', async () => {
    const result = await runCli(['migrate', '--from-ssm', `/${E}/kinds`])
    expect(result.stderr).toContain('verified 5 of 5')
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('Migration: 5 items: 5 created.')
    // A pipeline's output is as it was: no question, no cost line (the figures are in --json).
    expect(result.stdout + result.stderr).not.toMatch(/Estimated cost|\(y\/N\)/)
    const values = await secretValues(types.map((parameter) => parameter.name))
    for (const parameter of types) expect(values.get(parameter.name)).toBe(parameter.value)
    const metadata = await (await secretStore()).describe(`/${E}/kinds/LIST`)
    expect(metadata.tags).toEqual({
      'secrets:migrated-from': 'ssm',
      'secrets:source-name': `/${E}/kinds/LIST`,
      'secrets:ssm-type': 'StringList',
    })
    expectNoValues([result.stdout, result.stderr], Object.values(NASTY_VALUES))
  })

  it('re-runs as all unchanged, writing no new version', async () => {
    expect((await runCli(['migrate', '--from-ssm', `/${E}/rerun`])).code).toBe(0)
    const result = await runCli(['migrate', '--from-ssm', `/${E}/rerun`, '--json'])
    expect(result.code).toBe(0)
    const report = json(result.stdout)
    expect(report.items.map((item) => item.outcome)).toEqual(['unchanged', 'unchanged', 'unchanged', 'unchanged', 'unchanged'])
    const store = await secretStore()
    for (const parameter of rerun) expect(await store.history(parameter.name)).toHaveLength(1)
    expectNoValues([result.stdout, result.stderr], Object.values(NASTY_VALUES))
  })

  it('migrates values at the SSM size limits (4 KB standard, 8 KB advanced)', async () => {
    const standard = 'S'.repeat(4095) + '!'
    const advanced = `${'ü'.repeat(4000)}${'A'.repeat(192)}`
    expect(Buffer.byteLength(standard)).toBe(4096)
    expect(Buffer.byteLength(advanced)).toBe(8192)
    await seed([
      {name: `/${E}/limits/STANDARD`, value: standard, type: 'SecureString'},
      {name: `/${E}/limits/ADVANCED`, value: advanced, type: 'String', tier: 'Advanced'},
    ])
    const result = await runCli(['migrate', '--from-ssm', `/${E}/limits`])
    expect(result.code).toBe(0)
    const values = await secretValues([`/${E}/limits/STANDARD`, `/${E}/limits/ADVANCED`])
    expect(values.get(`/${E}/limits/STANDARD`)).toBe(standard)
    expect(values.get(`/${E}/limits/ADVANCED`)).toBe(advanced)
  })

  it('maps deep paths by their last segment with --to, across more than 10 pages', async () => {
    const deep = Array.from({length: 27}, (_, i) => ({
      name: `/${E}/legacy/app/v${i % 3}/nested/deeper/KEY_${i}`,
      value: `deep value ${i}`,
      type: (['String', 'SecureString', 'StringList'] as const)[i % 3],
    }))
    await seed(deep)
    const result = await runCli(['migrate', '--from-ssm', `/${E}/legacy`, '--to', `${E}/app`, '--json'])
    expect(result.code).toBe(0)
    const report = json(result.stdout)
    expect(report.totals.created).toBe(27)
    // 27 new secrets at the list price; 27 writes and 2 read-back batches of Secrets Manager calls.
    expect(report.cost).toMatchObject({newSecrets: 27, replicaRegions: 0, billedSecrets: 27, pricePerSecret: 0.4, listPrice: true, monthly: 10.8, apiCalls: 29})
    const values = await secretValues(deep.map((_, i) => `/${E}/app/KEY_${i}`))
    for (const [i, parameter] of deep.entries()) expect(values.get(`/${E}/app/KEY_${i}`)).toBe(parameter.value)
  })

  it('lists names that are not /<env>/<service>/<name> as unmapped, migrates the rest and exits 2', async () => {
    await seed([
      {name: `/${E}/mixed/GOOD`, value: 'good value'},
      {name: `/${E}/mixed/too/deep/X`, value: 'deep value'},
      {name: `/${E}/mixed/BAD-abcdef`, value: 'arn-like value'},
    ])
    const result = await runCli(['migrate', '--from-ssm', `/${E}/mixed`, '--json'])
    expect(result.code).toBe(2)
    const report = json(result.stdout)
    const outcome = Object.fromEntries(report.items.map((item) => [item.source, item.outcome]))
    expect(outcome).toEqual({
      [`/${E}/mixed/GOOD`]: 'created',
      [`/${E}/mixed/too/deep/X`]: 'unmapped',
      [`/${E}/mixed/BAD-abcdef`]: 'invalid',
    })
    expect(report.items.find((item) => item.outcome === 'unmapped')?.reason).toContain('--to ENV/SERVICE')
    expect(report.items.find((item) => item.outcome === 'invalid')?.reason).toContain('random suffix')
    expect((await secretValues([`/${E}/mixed/BAD-abcdef`])).size).toBe(0)
  })

  it('shows both sides of a collision and writes nothing at all', async () => {
    await seed([
      {name: `/${E}/col/a/PASSWORD`, value: 'first password'},
      {name: `/${E}/col/b/PASSWORD`, value: 'second password'},
      {name: `/${E}/col/a/OTHER`, value: 'unrelated value'},
    ])
    const human = await runCli(['migrate', '--from-ssm', `/${E}/col`, '--to', `${E}/col`])
    expect(human.code).toBe(2)
    expect(human.stdout).toMatch(new RegExp(`/${E}/col/a/PASSWORD .*collision .*/${E}/col/b/PASSWORD also maps to /${E}/col/PASSWORD`))
    expect(human.stderr).toContain('Nothing was written')
    const report = json((await runCli(['migrate', '--from-ssm', `/${E}/col`, '--to', `${E}/col`, '--json'])).stdout)
    expect(report.items.map((item) => item.outcome)).toEqual(['not-run', 'collision', 'collision'])
    expect((await secretValues([`/${E}/col/PASSWORD`, `/${E}/col/OTHER`])).size).toBe(0)
    expectNoValues([human.stdout, human.stderr], ['first password', 'second password', 'unrelated value'])
  })

  it('writes nothing on --dry-run and prints the plan', async () => {
    await seed([{name: `/${E}/dry/TOKEN`, value: 'dry run token', type: 'SecureString'}])
    const result = await runCli(['migrate', '--from-ssm', `/${E}/dry`, '--dry-run'])
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(/Plan \(dry run, nothing will be written\)/)
    expect(result.stdout).toMatch(new RegExp(`/${E}/dry/TOKEN +SecureString +/${E}/dry/TOKEN +create`))
    expect(result.stderr).toContain('Dry run: nothing was written')
    expect((await secretValues([`/${E}/dry/TOKEN`])).size).toBe(0)
    expect(await parameterNames(`/${E}/dry`)).toEqual([`/${E}/dry/TOKEN`])
  })

  describe('when a target already holds another value', () => {
    const setup = async (label: string) => {
      await seed([
        {name: `/${E}/${label}/EXISTING`, value: 'value from ssm'},
        {name: `/${E}/${label}/NEW`, value: 'brand new value'},
      ])
      const store = await secretStore()
      await store.put(`/${E}/${label}/EXISTING`, (await import('../../src/core/secret-value.js')).SecretValue.fromString('value already there'), {
        overwrite: true,
      })
      return store
    }

    it('--on-conflict fail (the default) stops before the first write with exit 4', async () => {
      await setup('cfail')
      const result = await runCli(['migrate', '--from-ssm', `/${E}/cfail`, '--json'])
      expect(result.code).toBe(4)
      const report = json(result.stdout)
      expect(report.items.map((item) => [item.plan, item.outcome])).toEqual([
        ['update', 'conflict'],
        ['create', 'not-run'],
      ])
      expect(report.hint).toContain('--on-conflict overwrite')
      const values = await secretValues([`/${E}/cfail/EXISTING`, `/${E}/cfail/NEW`])
      expect(values.get(`/${E}/cfail/EXISTING`)).toBe('value already there')
      expect(values.has(`/${E}/cfail/NEW`)).toBe(false)
    })

    it('--on-conflict skip leaves it, writes the rest and exits 0 (it did what was asked); --delete-source keeps the skipped parameter', async () => {
      await setup('cskip')
      const result = await runCli(['migrate', '--from-ssm', `/${E}/cskip`, '--on-conflict', 'skip', '--delete-source', '--json'])
      expect(result.code).toBe(0)
      expect(json(result.stdout).hint).toContain('as --on-conflict skip asks')
      const report = json(result.stdout)
      expect(report.items.map((item) => [item.outcome, item.sourceDeleted ?? false])).toEqual([
        ['skipped', false],
        ['created', true],
      ])
      const values = await secretValues([`/${E}/cskip/EXISTING`, `/${E}/cskip/NEW`])
      expect(values.get(`/${E}/cskip/EXISTING`)).toBe('value already there')
      expect(values.get(`/${E}/cskip/NEW`)).toBe('brand new value')
      expect(await parameterNames(`/${E}/cskip`)).toEqual([`/${E}/cskip/EXISTING`])
    })

    it('--on-conflict overwrite adds a version and keeps the old value as AWSPREVIOUS', async () => {
      const store = await setup('cover')
      const result = await runCli(['migrate', '--from-ssm', `/${E}/cover`, '--on-conflict', 'overwrite'])
      expect(result.code).toBe(0)
      expect(result.stdout).toContain('1 created, 1 updated')
      expect((await store.get(`/${E}/cover/EXISTING`)).text).toBe('value from ssm')
      expect((await store.get(`/${E}/cover/EXISTING`, {versionStage: 'AWSPREVIOUS'})).text).toBe('value already there')
      const again = await runCli(['migrate', '--from-ssm', `/${E}/cover`, '--on-conflict', 'overwrite', '--json'])
      expect(json(again.stdout).totals.unchanged).toBe(2)
      expect(await store.history(`/${E}/cover/EXISTING`)).toHaveLength(2)
    })
  })

  it('--delete-source deletes parameters only after their secrets verified, and a re-run deletes the rest', async () => {
    const parameters = Array.from({length: 12}, (_, i) => ({name: `/${E}/del/P${i}`, value: `to delete ${i}`, type: 'SecureString' as const}))
    await seed(parameters)
    // First without deletion: a half-done migration.
    expect((await runCli(['migrate', '--from-ssm', `/${E}/del`])).code).toBe(0)
    await seed([{name: `/${E}/del/LATE`, value: 'added later'}])
    const result = await runCli(['migrate', '--from-ssm', `/${E}/del`, '--delete-source', '--json'])
    expect(result.code).toBe(0)
    const report = json(result.stdout)
    expect(report.totals.sourcesDeleted).toBe(13)
    expect(report.items.find((item) => item.source.endsWith('/LATE'))).toMatchObject({outcome: 'created', verified: true, sourceDeleted: true})
    expect(await parameterNames(`/${E}/del`)).toEqual([])
    const values = await secretValues([...parameters.map((parameter) => parameter.name), `/${E}/del/LATE`])
    for (const parameter of parameters) expect(values.get(parameter.name)).toBe(parameter.value)

    // The path is empty now; the same command again finishes with 0 instead of "not found".
    const again = await runCli(['migrate', '--from-ssm', `/${E}/del`, '--delete-source', '--json'])
    expect(again.code).toBe(0)
    expect(json(again.stdout).hint).toContain(`Nothing is left under /${E}/del`)
  })

  describe('selecting from a path that holds secrets beside configuration', () => {
    const mixed = (label: string): SeedParameter[] => [
      {name: `/${E}/${label}/SMTP_PASSWORD`, value: 'smtp password value', type: 'SecureString'},
      {name: `/${E}/${label}/DB_PASSWORD`, value: 'plain db password', type: 'String'},
      {name: `/${E}/${label}/DB_HOST`, value: 'db.internal', type: 'String'},
      {name: `/${E}/${label}/DB_PORT`, value: '5432', type: 'String'},
      {name: `/${E}/${label}/HOSTS`, value: 'a.internal,b.internal', type: 'StringList'},
      {name: `/${E}/${label}/queue/URL`, value: 'https://sqs.example/queue', type: 'String'},
    ]

    it('--only NAME takes exactly the named parameters and touches nothing else', async () => {
      const parameters = mixed('only')
      await seed(parameters)
      const result = await runCli(['migrate', '--from-ssm', `/${E}/only`, '--to', `${E}/only`, '--only', 'SMTP_PASSWORD', '--only', 'queue/URL', '--delete-source', '--json'])
      expect(result.code).toBe(0)
      const report = json(result.stdout)
      expect(report.items.map((item) => [item.source, item.outcome, item.sourceDeleted])).toEqual([
        [`/${E}/only/SMTP_PASSWORD`, 'created', true],
        [`/${E}/only/queue/URL`, 'created', true],
      ])
      expect(report.totals.notSelected).toBe(4)
      expect(await parameterNames(`/${E}/only`)).toEqual([`/${E}/only/DB_HOST`, `/${E}/only/DB_PASSWORD`, `/${E}/only/DB_PORT`, `/${E}/only/HOSTS`])
      expect((await secretValues([`/${E}/only/DB_HOST`, `/${E}/only/DB_PASSWORD`])).size).toBe(0)

      const typo = await runCli(['migrate', '--from-ssm', `/${E}/only`, '--to', `${E}/only`, '--only', 'DB_PASWORD', '--delete-source'])
      expect(typo.code).toBe(3)
      expect(typo.stderr).toContain('--only DB_PASWORD: no such parameter')
      expect(await parameterNames(`/${E}/only`)).toHaveLength(4)
    })

    it('--type takes only parameters of the given types', async () => {
      await seed(mixed('type'))
      const result = await runCli(['migrate', '--from-ssm', `/${E}/type`, '--type', 'SecureString', '--type', 'StringList', '--json'])
      expect(result.code).toBe(0)
      const report = json(result.stdout)
      expect(report.items.map((item) => item.source)).toEqual([`/${E}/type/HOSTS`, `/${E}/type/SMTP_PASSWORD`])
      expect(report.totals.notSelected).toBe(4)
    })

    it('--secrets-only takes what audit calls a secret, and the plan says why each was taken or left', async () => {
      await seed(mixed('sonly'))
      const human = await runCli(['migrate', '--from-ssm', `/${E}/sonly`, '--to', `${E}/sonly`, '--secrets-only', '--dry-run'])
      expect(human.code).toBe(0)
      expect(human.stdout).toMatch(/SMTP_PASSWORD +SecureString .*create +secret: SecureString parameter/)
      expect(human.stdout).toMatch(/DB_PASSWORD +String .*create +secret: unencrypted String: name contains PASSWORD/)
      expect(human.stdout).toMatch(/DB_PORT +String +- +left +left in place: not a secret by the audit's rules \(the value is a short number/)
      const result = await runCli(['migrate', '--from-ssm', `/${E}/sonly`, '--to', `${E}/sonly`, '--secrets-only', '--delete-source', '--json'])
      expect(result.code).toBe(0)
      const report = json(result.stdout)
      expect(Object.fromEntries(report.items.map((item) => [item.source.slice(`/${E}/sonly/`.length), item.outcome]))).toEqual({
        SMTP_PASSWORD: 'created',
        DB_PASSWORD: 'created',
        DB_HOST: 'left',
        DB_PORT: 'left',
        HOSTS: 'left',
        'queue/URL': 'left',
      })
      expect(await parameterNames(`/${E}/sonly`)).toEqual([`/${E}/sonly/DB_HOST`, `/${E}/sonly/DB_PORT`, `/${E}/sonly/HOSTS`, `/${E}/sonly/queue/URL`])
      expectNoValues([human.stdout, human.stderr, result.stdout, result.stderr], ['smtp password value', 'plain db password'])
    })
  })

  it('--dry-run --delete-source lists every source it would delete, with the count, and deletes nothing', async () => {
    await seed([
      {name: `/${E}/drydel/API_TOKEN`, value: 'dry delete token', type: 'SecureString'},
      {name: `/${E}/drydel/DB_PASSWORD`, value: 'dry delete password', type: 'SecureString'},
      {name: `/${E}/drydel/DB_HOST`, value: 'db.internal'},
    ])
    const args = ['migrate', '--from-ssm', `/${E}/drydel`, '--only', 'API_TOKEN', '--only', 'DB_PASSWORD', '--delete-source', '--dry-run']
    const human = await runCli(args)
    expect(human.code).toBe(0)
    expect(human.stdout).toContain(`Would delete 2 source parameters (--delete-source), each only once its secret verified equal:\n  /${E}/drydel/API_TOKEN\n  /${E}/drydel/DB_PASSWORD\n`)
    expect(human.stdout).toContain('Dry run: 2 items: 2 to write, 2 sources to delete, 1 not selected.')
    const report = json((await runCli([...args, '--json'])).stdout)
    expect(report.sourcesToDelete).toEqual([`/${E}/drydel/API_TOKEN`, `/${E}/drydel/DB_PASSWORD`])
    expect(await parameterNames(`/${E}/drydel`)).toHaveLength(3)
    expectNoValues([human.stdout, human.stderr], ['dry delete token', 'dry delete password'])
  })

  it('plans a target scheduled for deletion as a conflict: exit 4, nothing written or deleted, names secrets restore', async () => {
    await seed([
      {name: `/${E}/sched/GONE`, value: 'value for a deleted secret', type: 'SecureString'},
      {name: `/${E}/sched/FRESH`, value: 'value for a fresh secret', type: 'SecureString'},
    ])
    const store = await secretStore()
    const {SecretValue} = await import('../../src/core/secret-value.js')
    await store.put(`/${E}/sched/GONE`, SecretValue.fromString('the old secret'), {overwrite: true})
    await store.delete(`/${E}/sched/GONE`, {recoveryDays: 7})
    for (const policy of ['fail', 'overwrite']) {
      const result = await runCli(['migrate', '--from-ssm', `/${E}/sched`, '--on-conflict', policy, '--delete-source', '--json'])
      expect(result.code, policy).toBe(4)
      const report = json(result.stdout)
      expect(report.items.map((item) => [item.source, item.plan, item.outcome])).toEqual([
        [`/${E}/sched/FRESH`, 'create', 'not-run'],
        [`/${E}/sched/GONE`, 'conflict', 'conflict'],
      ])
      expect(report.items[1].reason).toContain(`secrets restore /${E}/sched/GONE`)
      expect(report.hint).toContain(`secrets restore /${E}/sched/GONE`)
      expect(report.sourcesToDelete).toEqual([])
    }

    expect((await secretValues([`/${E}/sched/FRESH`])).size).toBe(0)
    expect(await parameterNames(`/${E}/sched`)).toHaveLength(2)
  })

  it('refuses bad input before any AWS call', async () => {
    const noTo = await runCli(['migrate', '--from-dotenv', 'x.env'])
    expect(noTo.code).toBe(2)
    expect(noTo.stderr).toContain('--from-dotenv needs --to')
    const both = await runCli(['migrate', '--from-ssm', '/a', '--from-dotenv', 'x.env', '--to', 'a/b'])
    expect(both.code).toBe(2)
    const relative = await runCli(['migrate', '--from-ssm', 'prod/billing'])
    expect(relative.code).toBe(2)
    expect(relative.stderr).toContain('starts with "/"')
    const badScope = await runCli(['migrate', '--from-ssm', '/a', '--to', 'prod'])
    expect(badScope.code).toBe(2)
  })

  it('exits 3 when the path holds no parameters', async () => {
    const result = await runCli(['migrate', '--from-ssm', `/${E}/nothing-here`])
    expect(result.code).toBe(3)
    expect(result.stderr).toContain(`No SSM parameters were found under /${E}/nothing-here`)
  })
})
