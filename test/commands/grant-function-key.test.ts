import {describe, expect, it} from 'vitest'

import {ROOT, runCli} from '../helpers/cli.js'
import {OFFLINE_ENV} from '../helpers/scan.js'
import {parseCfnYaml} from '../fixtures/grant-parsers.js'

const PLACED = ['--account', '123456789012', '--region', 'eu-west-1']

describe('secrets grant --function-key', () => {
  it("keys the serverless block by the function's key in serverless.yml, and names the deployed function in its Sids", async () => {
    const result = await runCli(['grant', 'prod/api', '--function', 'api-prod-checkout', '--function-key', 'checkout', '--secret', 'DB_PASS', '--format', 'serverless', ...PLACED], {env: OFFLINE_ENV, cwd: ROOT})
    expect(result.code, result.stderr).toBe(0)
    const {functions} = parseCfnYaml(result.stdout) as {functions: Record<string, {iamRoleStatements: Array<{Sid: string}>}>}
    expect(Object.keys(functions)).toEqual(['checkout'])
    expect(functions.checkout.iamRoleStatements[0].Sid).toMatch(/^ApiProdCheckout/)
  })

  it('refuses a key Lambda would refuse as a name, and a key with a manifest', async () => {
    const bad = await runCli(['grant', 'prod/api', '--function', 'api-prod-checkout', '--function-key', 'check out', ...PLACED], {env: OFFLINE_ENV, cwd: ROOT})
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('Invalid --function-key')
    const manifest = await runCli(['grant', '--env', 'prod', '--function-key', 'checkout', ...PLACED], {env: OFFLINE_ENV, cwd: ROOT})
    expect(manifest.code).toBe(2)
    expect(manifest.stderr).toContain('--function-key is for one function')
  })
})
