/**
 * Hints that fit the case (issue 22): a dry run speaks of what would happen, and a hint names the
 * fix for the reason at hand and a next step that is possible.
 */
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {seed} from '../fixtures/migrate-helpers.js'
import {runCli, uniqueEnv} from '../helpers/cli.js'

const env = uniqueEnv('hints')

function dotenvFile(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'secrets-hints-'))
  writeFileSync(join(dir, '.env'), text)
  return join(dir, '.env')
}

describe('migrate hints', () => {
  it('names the fix for an empty value, in the conditional on a dry run and as it happened otherwise', async () => {
    const file = dotenvFile('EMPTY=\nGOOD=value-1\n')
    const dry = await runCli(['migrate', '--from-dotenv', file, '--to', `${env}/empty`, '--dry-run'])
    expect(dry.code).toBe(2)
    expect(dry.stderr).toMatch(/Hint: Give the empty values a value in the source, or leave them out with --only; then run the same command again \(without --dry-run, the other 1 item would be migrated\)\./)
    expect(dry.stderr).not.toMatch(/Rename|were migrated|was migrated/)
    const run = await runCli(['migrate', '--from-dotenv', file, '--to', `${env}/empty`])
    expect(run.code).toBe(2)
    expect(run.stderr).toContain('(the other 1 item was migrated)')
    expect((await runCli(['get', `${env}/empty`, 'GOOD'])).stdout).toBe('value-1')
  })

  it('says a blocked plan writes nothing, not how many it planned to write', async () => {
    await seed([
      {name: `/${env}/col/a/PASSWORD`, value: 'one'},
      {name: `/${env}/col/b/PASSWORD`, value: 'two'},
      {name: `/${env}/col/a/OTHER`, value: 'three'},
    ])
    for (const dryRun of [false, true]) {
      const result = await runCli(['migrate', '--from-ssm', `/${env}/col`, '--to', `${env}/col`, ...(dryRun ? ['--dry-run'] : [])])
      expect(result.code).toBe(2)
      expect(result.stderr).toContain('planned 3 items, 0 to write')
      expect(result.stderr).toContain(dryRun ? 'Nothing would be written: two sources map to one secret.' : 'Nothing was written: two sources map to one secret.')
      // SSM cannot rename a parameter: the hint must not ask for it, and names --flatten instead.
      expect(result.stderr).not.toMatch(/distinct last segments|rename the/i)
      expect(result.stderr).toContain('Pass --flatten to name each secret after its segments below the path (queue/URL becomes QUEUE_URL)')
      if (dryRun) expect(result.stdout).toContain('1 would not run')
    }

    // What the hint says works: --flatten keeps a/ and b/ in the names, and nothing collides.
    const flattened = await runCli(['migrate', '--from-ssm', `/${env}/col`, '--to', `${env}/col`, '--flatten', '--quiet'])
    expect(flattened.code, flattened.stderr).toBe(0)
    expect(flattened.stdout).toBe('Migration: 3 items: 3 created.\n')
    expect(flattened.stderr).toBe('')
    expect((await runCli(['get', `${env}/col`, 'A_PASSWORD'])).stdout).toBe('one')
    expect((await runCli(['get', `${env}/col`, 'B_PASSWORD'])).stdout).toBe('two')
    expect((await runCli(['get', `${env}/col`, 'A_OTHER'])).stdout).toBe('three')
  })
})

describe('promote hints', () => {
  it('speaks of what would happen on a dry run', async () => {
    await runCli(['set', `${env}/from`, 'NEW'], {input: 'new-value'})
    const result = await runCli(['promote', `${env}/from`, `${env}/to`, '--dry-run'])
    expect(result.code).toBe(0)
    expect(result.stderr).toContain('Note: Dry run: 1 secret would be written. Run again without --dry-run to promote.')
    expect(result.stderr + result.stdout).not.toMatch(/was written|not run\b/)
  })
})

describe('other hints', () => {
  it('grant --check without a manifest does not mention one', async () => {
    const result = await runCli(['grant', `${env}/api`, '--function', 'f', '--secret', 'MISSING_ONE', '--check'])
    expect(result.code).toBe(3)
    expect(result.stderr).toContain('or leave them out of --secret.')
    expect(result.stderr).not.toContain('manifest')
  })

  it('get with only an environment names both missing parts', async () => {
    const result = await runCli(['get', 'prod'])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('Missing the service and the secret name (only an environment was given)')
  })

  it('audit --env refuses an environment secrets.yml does not declare (exit 2, before any call)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'secrets-hints-'))
    // An endpoint nobody answers: the refusal comes before any call.
    const result = await runCli(['audit', '--env', 'prod', '--endpoint-url', 'http://127.0.0.1:9'], {cwd: dir})
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('--env prod names no environment of secrets.yml: no secrets.yml was found')
    writeFileSync(join(dir, 'secrets.yml'), 'environments:\n  staging:\n    region: us-east-1\n')
    const declared = await runCli(['audit', '--env', 'prod', '--endpoint-url', 'http://127.0.0.1:9'], {cwd: dir})
    expect(declared.code).toBe(2)
    expect(declared.stderr).toContain('declares staging; nothing was audited.')
  })
})

describe('credential hints', () => {
  it('names the profile that gave no credentials and where it was named, instead of "set AWS_PROFILE"', async () => {
    const noKeys = {AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined}
    const fromEnv = await runCli(['list', env], {env: {...noKeys, AWS_PROFILE: 'nosuch'}})
    expect(fromEnv.code).toBe(5)
    expect(fromEnv.stderr).toContain('The AWS profile "nosuch" (from AWS_PROFILE) gave no credentials.')
    expect(fromEnv.stderr).not.toContain('Set AWS_PROFILE')
    const fromFlag = await runCli(['list', env, '--profile', 'nosuch'], {env: noKeys})
    expect(fromFlag.code).toBe(5)
    expect(fromFlag.stderr).toContain('The AWS profile "nosuch" (from --profile or secrets.yml) gave no credentials.')
    // With no profile named at all, the advice to name one stays.
    const none = await runCli(['list', env], {env: noKeys})
    expect(none.code).toBe(5)
    expect(none.stderr).toContain('Set AWS_PROFILE or pass --profile')
  })
})

describe('the fix for a .env line that is not a whole value', () => {
  it('says to quote an unquoted multi-line PEM block, not to shorten values over the size limit', async () => {
    const file = dotenvFile('PRIVATE_KEY=-----BEGIN RSA PRIVATE KEY-----\nMIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf9Cnzj4p4WGeKLs1Pt8Qu\n-----END RSA PRIVATE KEY-----\nGOOD=value-1\n')
    const dry = await runCli(['migrate', '--from-dotenv', file, '--to', `${env}/pem`, '--dry-run'])
    expect(dry.code).toBe(2)
    expect(dry.stderr).toContain('Quote multi-line values in double quotes')
    expect(dry.stderr).not.toContain('Shorten the values over the size limit')
  })
})
