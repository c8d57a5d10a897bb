import {generateKeyPairSync, randomBytes} from 'node:crypto'

import fc from 'fast-check'
import {describe, expect, it} from 'vitest'

import {scanForSecrets, scanManyForSecrets} from '../../../src/core/audit/secret-scan.js'
import {classifyVariable} from '../../../src/core/audit/variables.js'

// Credential-shaped values are built at run time, so the repository holds nothing a scanner would flag.
const privateKey = generateKeyPairSync('ec', {namedCurve: 'P-256'}).privateKey.export({type: 'pkcs8', format: 'pem'}) as string
const githubToken = `ghp_${'A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8'}`
const slackToken = `xoxb-${'1234567890'}-${'1234567890123'}-${'AbCdEfGhIjKlMnOpQrStUvWx'}`
// Letters and digits only: secretlint's AWS rule does not flag every key that ends in "/" or "+",
// and a random key must not make the test flaky.
const awsSecretKey = randomBytes(30).toString('base64').replaceAll(/[+/=]/g, 'K')
const postgresUrl = `postgres://app:${'S3cretPassw0rd'}@db.internal:5432/app`
const slackWebhook = ['https://hooks.', 'slack.com/services/', 'T0A1B2C3D4E', '/B0F1E2D3C4B', '/', 'Xq7Lm2Np9Rt4Vw8Yz3Ab6Cd1'].join('')

describe('secretlint wrapper', () => {
  it.each([
    ['SSH_KEY', privateKey, 'PrivateKey'],
    ['GH', githubToken, 'GITHUB_TOKEN'],
    ['NOTIFY', slackToken, 'SLACK_TOKEN'],
    ['AWS_SECRET_ACCESS_KEY', awsSecretKey, 'AWSSecretAccessKey'],
    ['DATABASE_URL', postgresUrl, 'PostgreSQLConnection'],
  ])('recognises %s by its value (%s)', async (name, value, messageId) => {
    const matches = await scanForSecrets(name, value)
    expect(matches.map((match) => match.messageId)).toContain(messageId)
  })

  it('scans many variables in one run and gives each its own matches', async () => {
    const results = await scanManyForSecrets([
      {name: 'LOG_LEVEL', value: 'info'},
      {name: 'SSH_KEY', value: privateKey},
      {name: 'REGION', value: 'us-east-1'},
      {name: 'GH', value: githubToken},
      {name: 'DATABASE_URL', value: postgresUrl},
      {name: 'EMPTY', value: ''},
    ])
    expect(results.map((matches) => matches.map((match) => match.messageId))).toEqual([
      [],
      ['PrivateKey'],
      [],
      ['GITHUB_TOKEN'],
      ['PostgreSQLConnection'],
      [],
    ])
  })

  it('does not report account ids, which every ARN carries', async () => {
    expect(await scanForSecrets('AWS_ACCOUNT_ID', '123456789012')).toEqual([])
  })

  it('returns rule ids only, never the matched text', async () => {
    const matches = await scanForSecrets('GH', githubToken)
    expect(JSON.stringify(matches)).not.toContain(githubToken)
  })
})

describe('classifying a variable', () => {
  it.each([
    ['DB_PASSWORD', 'hunter2hunter2', 'secret-name'],
    ['API_KEY', 'k-12345-abcdef', 'secret-name'],
    ['DB_PASSWORD', '12345678901', 'secret-name'],
    ['GH', githubToken, 'secret-value'],
    ['DATABASE_URL', postgresUrl, 'secret-value'],
    ['DB_PASSWORD', postgresUrl, 'secret-value'],
    // A URL with no password still carries one in its path: a webhook's URL is its credential.
    ['NOTIFY', slackWebhook, 'secret-value'],
    ['API_URL', 'https://api.example.com/v1', 'clean'],
    ['TOKEN_ENDPOINT', 'https://auth.example.com/oauth2/token', 'clean'],
    ['DB_PASSWORD', '/prod/api/DB_PASSWORD', 'clean'],
    ['DB_PASSWORD', 'arn:aws:secretsmanager:us-east-1:123456789012:secret:/prod/api/DB_PASSWORD-AbCdEf', 'clean'],
    ['DB_PASSWORD', '{{resolve:secretsmanager:/prod/api/DB_PASSWORD}}', 'clean'],
    ['SECRETS_NAMESPACE', '/prod/api/', 'clean'],
    ['TOKEN_REFRESH', 'true', 'clean'],
    ['PASSWORD_ROTATION', '30', 'clean'],
    ['API_KEY', '', 'secret-slot'],
    ['LOG_LEVEL', 'debug', 'clean'],
    ['REGION', 'us-east-1', 'clean'],
    ['DB_PASSWORD_SECRET_ARN', 'arn:aws:secretsmanager:us-east-1:123456789012:secret:x-AbCdEf', 'clean'],
    ['DB_PASSWORD_SECRET_NAME', 'legacy-db-password', 'clean'],
  ])('%s=<value %#> is %s', async (name, value, kind) => {
    expect((await classifyVariable(name, value, scanManyForSecrets)).kind).toBe(kind)
  })

  it('never puts the value in the detail', async () => {
    await fc.assert(
      fc.asyncProperty(fc.stringMatching(/^[A-Za-z0-9!#%&*+,.:;<>?@^_~-]{12,40}$/), async (value) => {
        const verdict = await classifyVariable('DB_PASSWORD', value, async (entries) => entries.map(() => [{ruleId: 'r', messageId: 'm'}]))
        expect(JSON.stringify(verdict)).not.toContain(value)
      }),
      {numRuns: 50},
    )
  })

  it('does not ask the scanner about references and flags', async () => {
    let asked = 0
    const scan = async (entries: ReadonlyArray<unknown>) => {
      asked += entries.length
      return entries.map(() => [])
    }

    await classifyVariable('DB_PASSWORD', '{{resolve:ssm-secure:/prod/api/DB_PASSWORD}}', scan)
    await classifyVariable('DEBUG', 'false', scan)
    expect(asked).toBe(0)
  })
})
