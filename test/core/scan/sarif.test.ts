import {readFileSync} from 'node:fs'

import {describe, expect, it} from 'vitest'

import {scanManyForSecrets} from '../../../src/core/audit/secret-scan.js'
import {SCAN_RULES} from '../../../src/core/scan/findings.js'
import {baselineFingerprints, FINGERPRINT_KEY, toSarif} from '../../../src/core/scan/sarif.js'
import {scanFile} from '../../../src/core/scan/scan-file.js'
import {parseHcl} from '../../../src/services/hcl-parser.js'
import {sarifValidator} from '../../helpers/sarif.js'

async function corpusFindings() {
  const findings = []
  for (const name of ['sam/template.yaml', 'cloudformation/stack.yml', 'cdk/cdk.out/OrdersStack.template.json']) {
    const result = await scanFile(name, readFileSync(new URL(`../../fixtures/scan/${name}`, import.meta.url), 'utf8'), scanManyForSecrets, parseHcl)
    if (result.kind === 'scanned') findings.push(...result.findings)
  }

  return findings
}

describe('toSarif', () => {
  it('writes a log the SARIF 2.1.0 schema accepts, with every rule and a location and fingerprint per result', async () => {
    const findings = await corpusFindings()
    const log = toSarif(findings, {version: '0.1.0', unparsable: [{file: 'broken.yaml', line: 3, reason: 'missing bracket'}]}) as {
      runs: Array<{tool: {driver: {rules: Array<{id: string; help: {text: string}}>}}; results: Array<Record<string, any>>}>
    }
    const validate = sarifValidator()
    expect(validate(log), JSON.stringify(validate.errors)).toBe(true)
    const [run] = log.runs
    expect(run.tool.driver.rules.map((rule) => rule.id)).toEqual(Object.keys(SCAN_RULES))
    expect(run.tool.driver.rules.every((rule) => rule.help.text.length > 20)).toBe(true)
    expect(run.results).toHaveLength(findings.length)
    const github = run.results.find((result) => result.properties.variable === 'GITHUB_TOKEN')!
    expect(github.locations[0].physicalLocation).toEqual({
      artifactLocation: {uri: 'sam/template.yaml', uriBaseId: '%SRCROOT%'},
      region: {startLine: 46, startColumn: 25},
    })
    expect(github.level).toBe('error')
    expect(github.partialFingerprints[FINGERPRINT_KEY]).toMatch(/^[0-9a-f]{32}$/)
    expect(JSON.stringify(log)).not.toContain('CANARY')
  })

  it('rejects what the schema rejects (the validator is not a rubber stamp)', () => {
    const validate = sarifValidator()
    expect(validate({version: '2.1.0', runs: [{tool: {driver: {}}}]})).toBe(false)
    expect(validate({version: '2.0.0', runs: []})).toBe(false)
  })
})

describe('baselineFingerprints', () => {
  it('reads the fingerprints of a --json report and of a SARIF log alike', async () => {
    const findings = await corpusFindings()
    const fromJson = baselineFingerprints(JSON.stringify({findings}))
    const fromSarif = baselineFingerprints(JSON.stringify(toSarif(findings, {version: '0'})))
    expect(fromJson).toEqual(new Set(findings.map((item) => item.fingerprint)))
    expect(fromSarif).toEqual(fromJson)
  })

  it('says what is wrong with a file that is neither', () => {
    expect(() => baselineFingerprints('not json')).toThrow(/is not JSON/)
    expect(() => baselineFingerprints('{"a": 1}')).toThrow(/neither/)
  })
})
