import {createHash} from 'node:crypto'
import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {parse} from 'dotenv'
import {beforeAll, describe, expect, it} from 'vitest'

import {expectNoValues, secretStore, secretValues} from '../fixtures/migrate-helpers.js'
import {ROOT, runCli, uniqueEnv} from '../helpers/cli.js'

const E = uniqueEnv('menv')
const NASTY = `${ROOT}test/fixtures/migrate-nasty.env`
const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex')

interface Report {
  items: {source: string; line?: number; target?: string; outcome: string; reason?: string}[]
  totals: Record<string, number>
  hint?: string
}

describe('secrets migrate --from-dotenv', () => {
  it('selects .env entries with --only and --secrets-only, and refuses --type', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'sel-')), '.env')
    writeFileSync(file, 'APP_NAME=billing\nDB_PASSWORD=dotenv-db-password\nPORT=8080\nSTRIPE_API_KEY=dotenv-stripe-key\n')
    const only = await runCli(['migrate', '--from-dotenv', file, '--to', `${E}/sel1`, '--only', 'STRIPE_API_KEY', '--json'])
    expect(only.code).toBe(0)
    expect((JSON.parse(only.stdout) as Report).items.map((item) => [item.source, item.outcome])).toEqual([['STRIPE_API_KEY', 'created']])
    const secretsOnly = await runCli(['migrate', '--from-dotenv', file, '--to', `${E}/sel2`, '--secrets-only', '--json'])
    expect(secretsOnly.code).toBe(0)
    expect((JSON.parse(secretsOnly.stdout) as Report).items.map((item) => [item.source, item.outcome])).toEqual([
      ['APP_NAME', 'left'],
      ['DB_PASSWORD', 'created'],
      ['PORT', 'left'],
      ['STRIPE_API_KEY', 'created'],
    ])
    expect((await secretValues([`/${E}/sel2/APP_NAME`, `/${E}/sel2/PORT`])).size).toBe(0)
    const type = await runCli(['migrate', '--from-dotenv', file, '--to', `${E}/sel3`, '--type', 'String'])
    expect(type.code).toBe(2)
    expect(type.stderr).toContain('--type is for SSM only')
    expectNoValues([only.stdout, only.stderr, secretsOnly.stdout, secretsOnly.stderr], ['dotenv-db-password', 'dotenv-stripe-key'])
  })

  it('warns on stderr of a value cut at # (TOKEN=abc#x), naming key and line only, and --secrets-only refuses it unless quoted', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'hash-')), '.env')
    writeFileSync(file, 'APP_NAME=billing # the service\nAPI_TOKEN=dotenv-tok#en-rest\n')
    const dry = await runCli(['migrate', '--from-dotenv', file, '--to', `${E}/hash`, '--dry-run'])
    expect(dry.code, dry.stderr).toBe(0)
    expect(dry.stderr).toContain(`Warning: ${file} line 2: the value of API_TOKEN is cut at "#"`)
    expect(dry.stderr).toContain("quote it: API_TOKEN='...'")
    expect(dry.stderr).not.toContain('APP_NAME')
    const strict = await runCli(['migrate', '--from-dotenv', file, '--to', `${E}/hash`, '--secrets-only', '--json'])
    const report = JSON.parse(strict.stdout) as Report
    expect(report.items.find((item) => item.source === 'API_TOKEN')).toMatchObject({outcome: 'invalid', line: 2})
    expect(report.hint).toContain("Quote the values that hold a # (KEY='...')")
    expect((await secretValues([`/${E}/hash/API_TOKEN`])).size).toBe(0)
    expectNoValues([dry.stdout, dry.stderr, strict.stdout, strict.stderr], ['dotenv-tok', 'en-rest'])
  })

  it('reports the lines of an unquoted multi-line PEM key by number only, in the plan, the dry run and --json, and writes nothing for them', async () => {
    // Body lines assembled at run time (no key material sits in the repository); letters and digits
    // only, so dotenv reads the padded last line as the key `<base64>` with the value `=`.
    const body = ['MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7', 'Zq9Lw2Rv5Nc0Yd4Hs6Jb1Ua7GeXq3kT9mZp2Lw8Rv5Nc0Yd4Hs6J', 'Qm3Xk8Tz4Vb7Np2Rc9Lw5Hd1Fs6Jg0Ky3Ae==']
    const file = join(mkdtempSync(join(tmpdir(), 'pem-')), '.env')
    writeFileSync(file, ['APP_NAME=billing', 'PRIVATE_KEY=-----BEGIN PRIVATE KEY-----', ...body, '-----END PRIVATE KEY-----', 'DB_HOST=db.internal', ''].join('\n'))
    const keyLike = body.map((line) => line.replace(/=+$/, ''))
    const args = ['migrate', '--from-dotenv', file, '--to', `${E}/pem`]
    const dry = await runCli([...args, '--dry-run'])
    const plan = await runCli([...args, '--json', '--dry-run'])
    const run = await runCli([...args, '--json'])
    expect(run.code).toBe(2)
    for (const output of [dry.stdout, dry.stderr, plan.stdout, plan.stderr, run.stdout, run.stderr]) {
      for (const text of keyLike) expect(output).not.toContain(text.slice(0, 16))
    }

    const report = JSON.parse(run.stdout) as Report
    expect(report.items.map((item) => [item.source, item.outcome])).toEqual([
      ['APP_NAME', 'created'],
      ['PRIVATE_KEY', 'invalid'],
      ['line 3', 'invalid'],
      ['line 4', 'invalid'],
      ['line 5', 'invalid'],
      ['line 6', 'invalid'],
      ['DB_HOST', 'created'],
    ])
    expect(report.items[1].reason).toContain('quote the whole value')
    expect(report.items[4].reason).toContain('unquoted multi-line PEM block')
    expect(dry.stdout).toMatch(/line 5 +- +- +invalid +this line is inside an unquoted multi-line PEM block/)
    // Nothing but the two real entries was written.
    const names: string[] = []
    for await (const secret of (await secretStore()).list(`/${E}/pem/`)) names.push(secret.name)
    expect(names.sort()).toEqual([`/${E}/pem/APP_NAME`, `/${E}/pem/DB_HOST`])
  })

  describe('the nasty fixture', () => {
    // The first migration is the tests' common ground, run once whichever test comes first.
    let before: string
    let first: Awaited<ReturnType<typeof runCli>>
    beforeAll(async () => {
      before = sha(NASTY)
      first = await runCli(['migrate', '--from-dotenv', NASTY, '--to', `${E}/api`, '--json'])
    })

    it('migrates every entry exactly as dotenv reads it, reports the rest, and never changes the file', async () => {
      const result = first
      // EMPTY (empty value), ARN_LIKE-abcdef (name) and line 24 (MY KEY=...) cannot be migrated.
      expect(result.code).toBe(2)
      const report = JSON.parse(result.stdout) as Report
      const byOutcome = (outcome: string) => report.items.filter((item) => item.outcome === outcome).map((item) => item.source)
      expect(byOutcome('invalid')).toEqual(['EMPTY', 'line 24', 'ARN_LIKE-abcdef'])
      expect(report.items.find((item) => item.source === 'line 24')?.reason).toContain('KEY=VALUE')
      expect(report.items.find((item) => item.source === 'EMPTY')?.reason).toContain('empty')

      const expected = parse(readFileSync(NASTY))
      const migrated = Object.keys(expected).filter((key) => !['EMPTY', 'ARN_LIKE-abcdef'].includes(key))
      expect(byOutcome('created').sort()).toEqual([...migrated].sort())
      const values = await secretValues(migrated.map((key) => `/${E}/api/${key}`))
      for (const key of migrated) expect(values.get(`/${E}/api/${key}`), key).toBe(expected[key])
      expect(values.get(`/${E}/api/MULTI`)).toBe('-----BEGIN KEY-----\nNOT_A_KEY=inside the value\n# not a comment either\n-----END KEY-----')
      expect(values.get(`/${E}/api/SPACES`)).toBe('  leading and trailing  ')
      expect(values.get(`/${E}/api/UNICODE`)).toBe('héllo wörld ✓ 🔑')

      const metadata = await (await secretStore()).describe(`/${E}/api/PLAIN`)
      expect(metadata.tags).toEqual({'secrets:migrated-from': 'dotenv', 'secrets:source-name': 'migrate-nasty.env:PLAIN'})
      expect(sha(NASTY)).toBe(before)
      expectNoValues([result.stdout, result.stderr], Object.values(expected))
    })

    it('prints the plan with lines, then a re-run finds every entry unchanged', async () => {
      const result = await runCli(['migrate', '--from-dotenv', NASTY, '--to', `${E}/api`])
      expect(result.stdout).toMatch(/MULTI \(line 13\) +- +\/.*\/api\/MULTI +unchanged/)
      expect(result.stdout).toMatch(/line 24 +- +- +invalid/)
      expect(result.stdout).toContain('Migration: 18 items: 15 unchanged, 3 invalid.')
      const store = await secretStore()
      expect(await store.history(`/${E}/api/MULTI`)).toHaveLength(1)
    })
  })

  it('refuses a file with a repeated key, naming the lines, and writes nothing', async () => {
    const result = await runCli(['migrate', '--from-dotenv', `${ROOT}test/fixtures/migrate-duplicates.env`, '--to', `${E}/dup`])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('DB_PASS (lines 2, 5)')
    expect(result.stderr).not.toContain('first-secret')
    expect((await secretValues([`/${E}/dup/API_KEY`, `/${E}/dup/DB_PASS`])).size).toBe(0)
  })

  it('migrates a clean file with exit 0 and reminds the user to delete it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'migrate-'))
    const file = join(dir, '.env')
    writeFileSync(file, 'export DATABASE_URL="postgres://u:p@db/app?x=1#frag"\nAPI_KEY=sk_live_abc123\n')
    const result = await runCli(['migrate', '--from-dotenv', file, '--to', `${E}/clean`, '--description', 'from .env'])
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('Migration: 2 items: 2 created.')
    expect(result.stderr).toContain(`${file} was not modified. Delete it once`)
    expect((await secretValues([`/${E}/clean/DATABASE_URL`])).get(`/${E}/clean/DATABASE_URL`)).toBe('postgres://u:p@db/app?x=1#frag')
    expect((await (await secretStore()).describe(`/${E}/clean/API_KEY`)).description).toBe('from .env')
    expectNoValues([result.stdout, result.stderr], ['postgres://u:p@db/app?x=1#frag', 'sk_live_abc123'])
  })

  it('refuses --delete-source for a .env file, and a file that is not UTF-8', async () => {
    const deleting = await runCli(['migrate', '--from-dotenv', NASTY, '--to', `${E}/x`, '--delete-source'])
    expect(deleting.code).toBe(2)
    expect(deleting.stderr).toContain('SSM only')
    const dir = mkdtempSync(join(tmpdir(), 'migrate-'))
    writeFileSync(join(dir, 'latin1.env'), Buffer.from([0x41, 0x3d, 0xe9, 0x0a]))
    const latin1 = await runCli(['migrate', '--from-dotenv', join(dir, 'latin1.env'), '--to', `${E}/x`])
    expect(latin1.code).toBe(2)
    expect(latin1.stderr).toContain('not valid UTF-8')
  })
})
