import {describe, expect, it} from 'vitest'

import {inspectLambdaFunction} from '../../../src/core/audit/inspect.js'
import {scanManyForSecrets} from '../../../src/core/audit/secret-scan.js'
import {classifyVariables} from '../../../src/core/audit/variables.js'
import {scanFile} from '../../../src/core/scan/scan-file.js'

/**
 * One placeholder rule for scan, audit and migrate: a placeholder under a secret's name is a slot for a
 * secret (low), under an ordinary name nothing, and never a live secret value, even with a
 * credential's shape. Verdicts are those of `classifyVariables` with the real detectors.
 */
const TABLE: ReadonlyArray<readonly [name: string, value: string, verdict: 'secret-value' | 'secret-name' | 'secret-slot' | 'clean']> = [
  // Placeholders under a secret's name: a slot.
  ['FIXER_API_KEY', '<Fixer API key>', 'secret-slot'],
  ['API_KEY', 'YOUR-API-KEY-HERE', 'secret-slot'],
  ['API_KEY', 'YOUR_FIXER_API_KEY_HERE', 'secret-slot'],
  ['DB_PASSWORD', 'changeme', 'secret-slot'],
  ['DB_PASSWORD', 'abc123', 'secret-slot'],
  ['DB_PASSWORD', 'password', 'secret-slot'],
  ['DB_PASSWORD', 'dummy', 'secret-slot'],
  ['DB_PASSWORD', 'test', 'secret-slot'],
  ['JWT_SECRET', 'secret', 'secret-slot'],
  ['JWT_SECRET', 'my-super-secret-123', 'secret-slot'],
  ['JWT_SECRET', 'xxxx', 'secret-slot'],
  ['JWT_SECRET', '', 'secret-slot'],
  ['JWT_SECRET', '${JWT_SECRET}', 'secret-slot'],
  ['GOOGLE_API_KEY', 'AIzaXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX', 'secret-slot'],
  ['STRIPE_SECRET_KEY', 'sk_live_xxxxxxxxxxxxxxxxxxxxxxxx', 'secret-slot'],
  ['LICENSE_KEY', 'KEYEXAMPLE1234', 'secret-slot'],
  ['DEPLOY_SECRET_KEY', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', 'secret-slot'],
  // The same placeholders under an ordinary name: nothing.
  ['FIXER_URL', '<Fixer API key>', 'clean'],
  ['MODE', 'test', 'clean'],
  ['ACCESS_ID', 'AKIAIOSFODNN7EXAMPLE', 'clean'],
  ['GOOGLE_MAPS', 'AIzaXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX', 'clean'],
  ['DATABASE_URL', 'postgres://app:changeme@db.internal:5432/app', 'clean'],
  ['DATABASE_URL', 'https://admin:dummy@example.com', 'clean'],
  ['SLACK_WEBHOOK_URL', 'https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX', 'clean'],
  // The SDK's credential variables, which Lambda refuses: a stand-in there points an SDK at an emulator.
  ['AWS_ACCESS_KEY_ID', 'AKIAIOSFODNN7EXAMPLE', 'clean'],
  ['AWS_SECRET_ACCESS_KEY', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', 'clean'],
  ['AWS_SECRET_ACCESS_KEY', 'dummy', 'clean'],
  ['AWS_SESSION_TOKEN', 'fake', 'clean'],
  // Live values stay what they were, at high severity.
  ['AWS_SECRET_ACCESS_KEY', 'Qm9Vx2T+8rLk4Hc1ZyWn7PdA5eJs3GuB0fKoXi6R', 'secret-value'],
  ['GOOGLE_MAPS', 'AIzaSyC7q2Lk9Vx4Tn8Hc1ZyWm7PdA5eJs3GuB0', 'secret-value'],
  ['DATABASE_URL', 'postgres://app:Vq8-mT2kLp4x@db.internal:5432/app', 'secret-value'],
  ['DB_PASSWORD', 'hunter2hunter2', 'secret-name'],
  ['JWT_SECRET', 'not-so-secret-jwt-literal', 'secret-name'],
  // Flags and references under a secret's name are no slot.
  ['PASSWORD_AUTH', 'off', 'clean'],
  ['TOKEN_TTL', '300', 'clean'],
  ['DB_PASSWORD', '/prod/api/DB_PASSWORD', 'clean'],
]

describe('placeholders, one rule', () => {
  it.each(TABLE)('%s=%j is %s', async (name, value, verdict) => {
    const [judged] = await classifyVariables([{name, value}], scanManyForSecrets)
    expect(judged.kind).toBe(verdict)
  })

  it('the credential detectors never call a placeholder with a credential shape a secret', async () => {
    const shapes = ['AKIAIOSFODNN7EXAMPLE', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', 'AIzaXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX', 'ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx']
    const results = await scanManyForSecrets(shapes.map((value) => ({name: 'AWS_SECRET_ACCESS_KEY', value})))
    expect(results).toEqual(shapes.map(() => []))
  })

  it('audit reports a slot as env-secret-slot, low, with a fix that stores the real secret', async () => {
    const findings = await inspectLambdaFunction({name: 'prod-checkout', variables: {API_KEY: '<your key>', GITHUB_TOKEN: 'ghp_CANARYq9W8e7R6t5Y4u3I2o1P0aSdFgHjKlZx'}}, scanManyForSecrets)
    const slot = findings.find((item) => item.item === 'API_KEY')
    expect(slot).toMatchObject({rule: 'env-secret-slot', severity: 'low'})
    expect(slot?.fix).toMatch(/^secrets set prod\/checkout API_KEY && secrets grant/)
    // The migrate of the live secret's fix leaves the slot out of its grant.
    const live = findings.find((item) => item.item === 'GITHUB_TOKEN')
    expect(live).toMatchObject({rule: 'env-secret-value', severity: 'high'})
    expect(live?.fix).not.toContain('--secret API_KEY')
  })

  it('scan reports a slot as env-secret-slot, low', async () => {
    const template = ['AWSTemplateFormatVersion: "2010-09-09"', 'Resources:', '  Fn:', '    Type: AWS::Lambda::Function', '    Properties:', '      Environment:', '        Variables:', '          API_KEY: "<your key>"'].join('\n')
    const result = await scanFile('template.yaml', template, scanManyForSecrets, () => {
      throw new Error('no HCL here')
    })
    expect(result.kind === 'scanned' ? result.findings.map(({rule, severity, line}) => ({rule, severity, line})) : result).toEqual([{rule: 'env-secret-slot', severity: 'low', line: 8}])
  })
})
