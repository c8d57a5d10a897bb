import {readFileSync} from 'node:fs'

import {describe, expect, it} from 'vitest'

import {scanManyForSecrets} from '../../../src/core/audit/secret-scan.js'
import {fingerprintOf, SCAN_RULES} from '../../../src/core/scan/findings.js'
import {scanFile} from '../../../src/core/scan/scan-file.js'
import {parseHcl} from '../../../src/services/hcl-parser.js'
import {RULES} from '../../../src/core/audit/findings.js'

const fixture = (name: string) => readFileSync(new URL(`../../fixtures/scan/${name}`, import.meta.url), 'utf8')

async function findingsOf(name: string, text = fixture(name)) {
  const result = await scanFile(name, text, scanManyForSecrets, parseHcl)
  if (result.kind !== 'scanned') throw new Error(`not scanned: ${JSON.stringify(result)}`)
  return result
}

describe('scanFile', () => {
  it('recognises SAM by its transform and CDK output by its path', async () => {
    expect((await findingsOf('sam/template.yaml')).format).toBe('sam')
    expect((await findingsOf('cloudformation/stack.yml')).format).toBe('cloudformation')
    expect((await findingsOf('cdk/cdk.out/OrdersStack.template.json')).format).toBe('cdk')
  })

  it('gives a literal secret the set command, a grant in the template\'s own format and the change', async () => {
    const {findings} = await findingsOf('sam/template.yaml')
    const github = findings.find((item) => item.variable === 'GITHUB_TOKEN')!
    expect(github).toMatchObject({rule: 'env-secret-value', severity: 'high', resource: 'CheckoutFunction', line: 46, column: 25})
    expect(github.fix.store).toBe('secrets set prod/checkout GITHUB_TOKEN')
    expect(github.fix.grant).toBe('secrets grant prod/checkout --function prod-checkout --secret GITHUB_TOKEN --format sam --runtime nodejs')
    expect(github.fix.change).toContain('remove GITHUB_TOKEN from Environment.Variables of CheckoutFunction; pass the secret\'s name instead (GITHUB_TOKEN_SECRET_ID: /prod/checkout/GITHUB_TOKEN')
  })

  it('gives a value resolved from Secrets Manager no store command (it is stored) and names the secret in the grant', async () => {
    const {findings} = await findingsOf('sam/template.yaml')
    const resolved = findings.find((item) => item.variable === 'DB_PASS')!
    expect(resolved.rule).toBe('env-resolved-secret')
    expect(resolved.fix.store).toBeUndefined()
    expect(resolved.fix.grant).toBe('secrets grant prod/checkout --function prod-checkout --secret DB_PASS --format sam --runtime nodejs')
    const secure = findings.find((item) => item.variable === 'SMTP_PASSWORD')!
    expect(secure.fix.store).toBe('secrets migrate --from-ssm /prod/checkout --to prod/checkout --only SMTP_PASSWORD --delete-source')
  })

  it('scopes IAM findings with grant commands in the template\'s format', async () => {
    const {findings} = await findingsOf('cloudformation/stack.yml')
    const multi = findings.find((item) => item.rule === 'iam-multiple-environments')!
    // One grant per function that runs as the role, in the environment its name gives; never the role as a function.
    expect(multi.fix.grant).toBe(
      'give each environment its own role with: secrets grant prod/billing --function billing-invoice-prod --secret NAME --format cloudformation; secrets grant prod/billing --function billing-refund-prod --secret NAME --format cloudformation',
    )
    const shared = findings.find((item) => item.rule === 'iam-shared-role')!
    expect(shared.reason).toContain('billing-invoice-prod, billing-refund-prod')
    const parameter = findings.find((item) => item.variable === '/prod/billing/STRIPE_API_KEY')!
    expect(parameter.fix.store).toBe('secrets migrate --from-ssm /prod/billing --to prod/billing --only STRIPE_API_KEY --delete-source')
  })

  it('never carries a value, not even part of one', async () => {
    for (const name of ['sam/template.yaml', 'cloudformation/stack.yml', 'cdk/cdk.out/OrdersStack.template.json']) {
      const text = JSON.stringify((await findingsOf(name)).findings)
      expect(text).not.toContain('CANARY')
      expect(text).not.toContain('Tr0ub4dor')
      expect(text).not.toContain('sntrys-')
    }
  })

  it('uses audit\'s ids and severities for the rules that mean the same', () => {
    for (const [id, rule] of Object.entries(RULES)) {
      if (id in SCAN_RULES) expect(SCAN_RULES[id as keyof typeof SCAN_RULES].severity).toBe(rule.severity)
    }
  })

  it('keeps a fingerprint when the finding moves to another line', async () => {
    const text = fixture('sam/template.yaml')
    const before = (await findingsOf('t.yaml', text)).findings
    const after = (await findingsOf('t.yaml', `# a new first line\n${text}`)).findings
    expect(after.map((item) => item.fingerprint)).toEqual(before.map((item) => item.fingerprint))
    expect(after.map((item) => item.line)).toEqual(before.map((item) => item.line + 1))
    expect(fingerprintOf({rule: 'env-secret-name', file: 'a\\b.yaml', resource: 'R'})).toBe(fingerprintOf({rule: 'env-secret-name', file: 'a/b.yaml', resource: 'R'}))
  })

  it('names the line of a template that does not parse, and passes over YAML that is not a template', async () => {
    const broken = await scanFile('t.yaml', 'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n  A: [\n', scanManyForSecrets, parseHcl)
    expect(broken).toMatchObject({kind: 'unparsable'})
    expect(broken.kind === 'unparsable' && broken.line).toBeGreaterThan(0)
    expect(await scanFile('docker-compose.yml', 'services:\n  web:\n    image: nginx\n', scanManyForSecrets, parseHcl)).toEqual({kind: 'not-a-template'})
    expect(await scanFile('notes.yml', 'a: [\n', scanManyForSecrets, parseHcl)).toEqual({kind: 'not-a-template'})
    expect(await scanFile('index.ts', 'export const PASSWORD = "x"', scanManyForSecrets, parseHcl)).toEqual({kind: 'not-a-template'})
  })

  it('reads serverless.yml: fixes in the serverless format, provider.iam as one role shared by every function', async () => {
    const {format, findings} = await findingsOf('serverless/serverless.yml')
    expect(format).toBe('serverless')
    const token = findings.find((item) => item.variable === 'GITHUB_TOKEN')!
    expect(token.fix.grant).toBe('secrets grant prod/orders-create --function orders-prod-create --function-key create --secret GITHUB_TOKEN --format serverless --runtime nodejs')
    const shared = findings.find((item) => item.rule === 'iam-shared-role')!
    expect(shared.reason).toContain('3 functions (orders-prod-admin, orders-prod-create, orders-prod-list)')
    const fromSsm = findings.find((item) => item.variable === 'DB_PASSWORD')!
    expect(fromSsm.fix.store).toBe('secrets migrate --from-ssm /prod/orders --to prod/orders --only DB_PASSWORD --delete-source')
    const fromSecretsManager = findings.find((item) => item.variable === 'API_KEY')!
    expect(fromSecretsManager.fix.store).toBeUndefined()
  })

  it("reads an ECS task definition file and gives a JSON grant for the family's task role, read at run time, valueFrom only as the lesser step", async () => {
    const {format, findings} = await findingsOf('ecs/task-definition.json')
    expect(format).toBe('ecs')
    const stripe = findings.find((item) => item.variable === 'api/STRIPE_SECRET_KEY')
    expect(stripe?.fix.grant).toBe('secrets grant prod/payments --task payments-prod --secret STRIPE_SECRET_KEY --format json --runtime nodejs')
    expect(stripe?.fix.change).toBe(
      "remove STRIPE_SECRET_KEY from the environment of container api; pass the secret's name instead (STRIPE_SECRET_KEY_SECRET_ID: /prod/payments/STRIPE_SECRET_KEY, as the grant prints it with the module that reads it at run time with the task role; --runtime python for a Python application); moving it to the container's secrets (valueFrom) instead is the lesser step: ECS then sets the value as an environment variable of the container, visible to anything that can read the process environment",
    )
    const resolved = findings.find((item) => item.variable === 'api/OPENAI_TOKEN')
    expect(resolved?.fix.grant).toMatch(/^secrets grant prod\/payments --task payments-prod /)
    expect(resolved?.fix.change).toContain('valueFrom) instead is the lesser step')
  })

  it('moves a committed .env entry with migrate --from-dotenv, and reports a sample file only for a real credential', async () => {
    const production = await findingsOf('dotenv/.env.production')
    expect(production.findings.find((item) => item.variable === 'MAILER_PASSWORD')).toMatchObject({
      line: 5,
      column: 18,
      fix: {store: 'secrets migrate --from-dotenv dotenv/.env.production --to ENV/SERVICE --only MAILER_PASSWORD'},
    })
    const sample = await findingsOf('dotenv/.env.example')
    expect(sample.findings.map((item) => item.variable)).toEqual(['GITHUB_TOKEN'])
    expect(JSON.stringify([production, sample])).not.toContain('CANARY')
  })
})
