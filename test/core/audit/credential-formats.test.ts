import {describe, expect, it} from 'vitest'

import {CREDENTIAL_FORMATS as TABLE, credentialFormatsIn} from '../../../src/core/audit/credential-formats.js'
import {inspectLambdaFunction} from '../../../src/core/audit/inspect.js'
import {hasRandomToken} from '../../../src/core/audit/random-token.js'
import {scanManyForSecrets} from '../../../src/core/audit/secret-scan.js'
import {scanFile} from '../../../src/core/scan/scan-file.js'
import {parseHcl} from '../../../src/services/hcl-parser.js'
import {CREDENTIAL_FORMATS, LOOK_ALIKES} from '../../fixtures/credential-formats.js'

/** A SAM template whose one function holds `variables` in its environment (JSON strings are YAML's double-quoted ones). */
function samTemplate(variables: Record<string, string>): string {
  const lines = Object.entries(variables).map(([name, value]) => `          ${name}: ${JSON.stringify(value)}`)
  return [
    "AWSTemplateFormatVersion: '2010-09-09'",
    'Transform: AWS::Serverless-2016-10-31',
    'Resources:',
    '  CheckoutFunction:',
    '    Type: AWS::Serverless::Function',
    '    Properties:',
    '      FunctionName: prod-checkout',
    '      Handler: index.handler',
    '      Environment:',
    '        Variables:',
    ...lines,
    '',
  ].join('\n')
}

async function scanFindings(variables: Record<string, string>) {
  const result = await scanFile('template.yaml', samTemplate(variables), scanManyForSecrets, parseHcl)
  if (result.kind !== 'scanned') throw new Error(`not scanned: ${result.kind}`)
  return result.findings
}

const auditFindings = (variables: Record<string, string>) => inspectLambdaFunction({name: 'prod-checkout', variables}, scanManyForSecrets)

describe('24 credential formats under neutral names, judged by their value alone', () => {
  it.each(CREDENTIAL_FORMATS.map((format) => [format.name, format.what, format.value]))('%s (%s) is a secret value to audit and to scan', async (name, _what, value) => {
    const audit = await auditFindings({[name]: value, LOG_LEVEL: 'info'})
    expect(audit.map((item) => `${item.rule} ${item.item}`)).toEqual([`env-secret-value ${name}`])
    const scan = await scanFindings({[name]: value, LOG_LEVEL: 'info'})
    expect(scan.map((item) => `${item.rule} ${item.variable}`)).toEqual([`env-secret-value ${name}`])
    expect(JSON.stringify([audit, scan])).not.toContain(value)
  })

  it('finds all 24 in one function, and its one fix names every one of them', async () => {
    const variables = Object.fromEntries(CREDENTIAL_FORMATS.map(({name, value}) => [name, value]))
    const audit = await auditFindings(variables)
    expect(audit.map((item) => item.item)).toEqual(CREDENTIAL_FORMATS.map(({name}) => name))
    expect(new Set(audit.map((item) => item.fix)).size).toBe(1)
    for (const {name} of CREDENTIAL_FORMATS) expect(audit[0].fix).toContain(`--secret ${name} `)
    const scan = await scanFindings(variables)
    expect(scan.map((item) => item.variable).sort()).toEqual(CREDENTIAL_FORMATS.map(({name}) => name))
  })
})

describe('values that look random or credential-like and are not secrets', () => {
  it.each(LOOK_ALIKES.map((item) => [item.name, item.why, item.value]))('%s (%s) is clean to audit and to scan', async (name, _why, value) => {
    expect(await auditFindings({[name]: value})).toEqual([])
    expect(await scanFindings({[name]: value})).toEqual([])
  })

  it('all of them together in one function: no finding', async () => {
    const variables = Object.fromEntries(LOOK_ALIKES.map(({name, value}) => [name, value]))
    expect(await auditFindings(variables)).toEqual([])
  })

  it('a digest is left alone by its name only: the same bytes under a neutral name are a 32-byte key', () => {
    const digest = LOOK_ALIKES.find((item) => item.name === 'CODE_SHA256')!.value
    expect(hasRandomToken('CODE_SHA256', digest)).toBe(false)
    expect(hasRandomToken('CodeSha256', digest)).toBe(false)
    expect(hasRandomToken('SESSION', digest)).toBe(true)
  })
})

describe('the table of formats secretlint lacks', () => {
  it('names a source for every format', () => {
    for (const format of TABLE) expect(format.source, format.id).toMatch(/^(https:\/\/|RFC )/)
  })

  it('does not take a password that is a template hole or a placeholder for one', () => {
    for (const password of ['${DB_PASSWORD}', '$DB_PASSWORD', '{{password}}', '<password>', 'password', '****']) {
      expect(credentialFormatsIn(`https://app:${password}@db.internal:5432/app`), password).toEqual([])
    }

    expect(credentialFormatsIn(`redis://:${'q8Z!rT2p'}@cache.internal:6379/0`)).toEqual(['URL_PASSWORD'])
  })

  it('does not take a stand-in with a real prefix for a key', () => {
    expect(credentialFormatsIn(`sk_live_${'X'.repeat(24)}`)).toEqual([])
    expect(credentialFormatsIn(`AIza${'0'.repeat(35)}`)).toEqual([])
  })

  it('matches a format only as a whole token, not inside a longer base64 string', () => {
    const google = CREDENTIAL_FORMATS.find((format) => format.what.startsWith('Google'))!.value
    expect(credentialFormatsIn(google)).toEqual(['GOOGLE_API_KEY'])
    expect(credentialFormatsIn(`Zm9v${google}YmFy`)).toEqual([])
    expect(credentialFormatsIn(`x+${google}`)).toEqual([])
  })
})
