import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {ROOT, runRecipe} from '../helpers/cli.js'
import {sarifValidator} from '../helpers/sarif.js'
import {OFFLINE_ENV} from '../helpers/scan.js'

/** Runs examples/pre-deploy-scan.sh as a pipeline would: bash, no credentials, the built CLI. */
const recipe = (args: string[], cwd: string) => runRecipe('pre-deploy-scan.sh', args, OFFLINE_ENV, cwd)

describe('examples/pre-deploy-scan.sh', () => {
  it('writes valid SARIF, lists each finding by file and line, exits 7, and with the report as baseline exits 0', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scan-recipe-'))
    writeFileSync(join(dir, 'template.yaml'), readFileSync(join(ROOT, 'test/fixtures/scan/sam/template.yaml')))
    const first = await recipe(['.', 'high', 'scan.sarif'], dir)
    expect(first.code, first.stderr).toBe(7)
    expect(first.stdout).toBe('scan: 9 findings, 0 unparsable templates\n')
    expect(first.stderr).toContain('  error  template.yaml:46  env-secret-value  CheckoutFunction GITHUB_TOKEN')
    const log = JSON.parse(readFileSync(join(dir, 'scan.sarif'), 'utf8')) as object
    expect(sarifValidator()(log)).toBe(true)
    writeFileSync(join(dir, 'baseline.sarif'), readFileSync(join(dir, 'scan.sarif')))
    const adopted = await recipe(['.', 'high', 'scan.sarif', 'baseline.sarif'], dir)
    expect(adopted.code, adopted.stderr).toBe(0)
    expect(first.stdout + first.stderr + adopted.stdout + adopted.stderr).not.toContain('CANARY')
  })
})
