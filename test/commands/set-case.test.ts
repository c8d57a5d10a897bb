import {describe, expect, it} from 'vitest'

import {runCli, uniqueEnv} from '../helpers/cli.js'

// Lower case, as every scope of this suite: the test adds its upper-case twin.
const env = uniqueEnv('setcase').toLowerCase()
const Env = env[0].toUpperCase() + env.slice(1)

describe('set, beside a secret whose name or scope differs only by case', () => {
  it('creates the secret and warns on stderr (exit 0), naming the existing secret and never the value', async () => {
    expect((await runCli(['set', `${env}/api`, 'DB_PASS'], {input: 'canary-case-1'})).code).toBe(0)
    const created = await runCli(['set', `${Env}/Api`, 'db_pass'], {input: 'canary-case-2'})
    expect(created.code, created.stderr).toBe(0)
    expect(created.stdout).toContain(`created /${Env}/Api/db_pass`)
    expect(created.stderr).toContain(`Warning: /${Env}/Api/db_pass was created beside /${env}/api/DB_PASS, whose name differs only by case.`)
    expect(created.stderr).toContain(`delete this one (secrets delete /${Env}/Api/db_pass)`)

    const scopeTwin = await runCli(['set', `${Env}/Api`, 'OTHER'], {input: 'canary-case-3'})
    expect(scopeTwin.code).toBe(0)
    expect(scopeTwin.stderr).toContain(`Warning: /${Env}/Api/OTHER was created beside /${env}/api/DB_PASS, whose scope differs only by case.`)

    // An update adds a version to a secret that exists: nothing to warn of, and no listing.
    const updated = await runCli(['set', `${Env}/Api`, 'db_pass'], {input: 'canary-case-4'})
    expect(updated.stderr).not.toContain('Warning')
    // ListSecrets' name filter is case-sensitive: a lower-case scope is listed as it is, so its own
    // names are compared, and /Env/Api/ (which no lower-case listing returns) is not.
    const json = await runCli(['set', `${env}/api`, 'Db_Pass', '--json'], {input: 'canary-case-5'})
    expect(JSON.parse(json.stdout)).toMatchObject({outcome: 'created', differsByCaseFrom: [`/${env}/api/DB_PASS`]})
    for (const output of [created, scopeTwin, updated, json]) expect(output.stdout + output.stderr).not.toMatch(/canary-case/)
  })
})
