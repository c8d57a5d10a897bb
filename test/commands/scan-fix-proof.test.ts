/**
 * Every template edit scan prints for an IAM finding, applied: the edited template still passes
 * cfn-lint, a second scan no longer reports the finding, and the IAM evaluator allows the holder
 * every other action it had and the secrets the template passes it, and no other secret.
 */
import {mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, describe, expect, it} from 'vitest'

import type {ScanFinding} from '../../src/core/scan/findings.js'
import {evaluate} from '../fixtures/grant-evaluator.js'
import {ROOT, runCli} from '../helpers/cli.js'
import {applyEdits, AT, cfnLintErrors, heldPolicy, serverlessHeldPolicy, serverlessSchemaErrors, terraformFmtErrors, terraformHeldPolicy} from '../../bench/fixes/proof.js'
import {parseHcl} from '../../src/services/hcl-parser.js'
import {OFFLINE_ENV} from '../helpers/scan.js'

const FIXTURES = join(ROOT, 'test/fixtures/fix-proof')
const GET = 'secretsmanager:GetSecretValue'
const secret = (name: string) => `arn:${AT.partition}:secretsmanager:${AT.region}:${AT.account}:secret:${name}-AbCdEf`
const ANOTHER_SECRET = secret('/prod/billing/STRIPE_KEY')
const IN = `${AT.region}:${AT.account}`
const BROKER = `arn:aws:mq:${IN}:broker:orders:b-1234`
const ENI = `arn:aws:ec2:${IN}:network-interface/eni-0123456789abcdef0`
const LOG_STREAM = `arn:aws:logs:${IN}:log-group:/aws/lambda/fn:log-stream:s`
// The evaluator places the principal in the resource's account: a resource with none (S3) would be another account's.
const TABLE = `arn:aws:dynamodb:${IN}:table/reports`
const PARAMETER = `arn:aws:ssm:${IN}:parameter/prod/api/TOKEN`

/** Per finding (file, resource): what its holder must still be allowed, and what it must no longer be. */
const EXPECTED: Array<{file: string; resource: string; holder: string; allowed: Array<[string, string]>; denied: Array<[string, string]>}> = [
  {
    file: 'broker.yaml',
    resource: 'ConsumerFunction',
    holder: 'ConsumerFunction',
    allowed: [[GET, 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:mq-broker-credentials-AbCdEf'], ['mq:DescribeBroker', BROKER], ['ec2:CreateNetworkInterface', ENI], ['logs:PutLogEvents', LOG_STREAM]],
    denied: [[GET, ANOTHER_SECRET]],
  },
  {
    file: 'event-source.yaml',
    resource: 'QueueConsumer',
    holder: 'QueueConsumer',
    allowed: [[GET, secret('BrokerCredentials')], ['mq:DescribeBroker', BROKER]],
    denied: [[GET, ANOTHER_SECRET]],
  },
  {
    file: 'connection.yaml',
    resource: 'CallerRole',
    holder: 'CallerRole',
    allowed: [[GET, secret('ApiConnection.SecretArn')], ['secretsmanager:CreateSecret', ANOTHER_SECRET], ['secretsmanager:PutSecretValue', ANOTHER_SECRET], ['logs:PutLogEvents', LOG_STREAM]],
    denied: [[GET, ANOTHER_SECRET]],
  },
  {
    file: 'admin.yaml',
    resource: 'ReportFunction',
    holder: 'ReportFunction',
    allowed: [['dynamodb:PutItem', TABLE], ['logs:PutLogEvents', LOG_STREAM], ['secretsmanager:DescribeSecret', ANOTHER_SECRET]],
    denied: [[GET, ANOTHER_SECRET], ['ssm:GetParameter', PARAMETER]],
  },
  {
    file: 'roles.yaml',
    resource: 'AppUserRole',
    holder: 'AppUserRole',
    allowed: [['dynamodb:GetItem', TABLE]],
    denied: [[GET, ANOTHER_SECRET]],
  },
  {
    file: 'templates.yaml',
    resource: 'ReaderFunction',
    holder: 'ReaderFunction',
    allowed: [[GET, secret('/prod/orders/DB_PASSWORD')], ['secretsmanager:DescribeSecret', secret('/prod/orders/DB_PASSWORD')]],
    denied: [[GET, ANOTHER_SECRET], [GET, secret('/prod/orders/DB_PASSWORD_OLD')]],
  },
]

const work = mkdtempSync(join(tmpdir(), 'fix-proof-'))
afterAll(() => rmSync(work, {recursive: true, force: true}))

async function scan(path: string): Promise<ScanFinding[]> {
  const result = await runCli(['scan', path, '--json'], {env: OFFLINE_ENV, cwd: ROOT})
  return (JSON.parse(result.stdout) as {findings: ScanFinding[]}).findings
}

describe("scan's IAM fixes, applied", () => {
  it('lint clean, are not reported again, and leave the holder its other actions and its own secrets only', async () => {
    const findings = (await scan(FIXTURES)).filter((item) => item.fix.edits !== undefined && item.format !== 'terraform' && item.format !== 'serverless')
    // Every finding with edits is proven below, and every proof has its finding.
    expect(findings.map((item) => `${item.file.split('/').at(-1)} ${item.resource}`).sort()).toEqual(EXPECTED.map((item) => `${item.file} ${item.resource}`).sort())
    const originals = EXPECTED.map((expected) => join(FIXTURES, expected.file))
    const lintBefore = await cfnLintErrors([...new Set(originals)])
    expect(lintBefore.errors, lintBefore.output).toBe(false)
    const edited = EXPECTED.map((expected, index) => {
      const finding = findings.find((item) => item.file.endsWith(expected.file) && item.resource === expected.resource) as ScanFinding
      const path = join(work, `${index}-${expected.file}`)
      writeFileSync(path, applyEdits(readFileSync(join(FIXTURES, expected.file), 'utf8'), finding.fix.edits ?? []))
      return path
    })
    const lintAfter = await cfnLintErrors(edited)
    expect(lintAfter.errors, lintAfter.output).toBe(false)

    const again = await scan(work)
    for (const [index, expected] of EXPECTED.entries()) {
      expect(again.filter((item) => item.file.endsWith(`${index}-${expected.file}`) && item.resource === expected.resource && item.area === 'iam'), expected.file).toEqual([])
      const before = heldPolicy(readFileSync(join(FIXTURES, expected.file), 'utf8'), expected.holder)
      for (const [action, resource] of expected.denied) expect(await evaluate(before, action, resource), `before: ${action}`).toBe('Allowed')
      const after = heldPolicy(readFileSync(edited[index], 'utf8'), expected.holder)
      for (const [action, resource] of expected.allowed) expect(await evaluate(after, action, resource), `${expected.file}: ${action} on ${resource}`).toBe('Allowed')
      for (const [action, resource] of expected.denied) expect(await evaluate(after, action, resource), `${expected.file}: ${action} on ${resource}`).not.toBe('Allowed')
    }
  }, 120_000)

  it('say so, and edit nothing, where nothing in the template names the secrets a function reads', async () => {
    const guess = (await scan(join(FIXTURES, 'templates.yaml'))).find((item) => item.resource === 'GuessFunction') as ScanFinding
    expect(guess.fix.edits).toBeUndefined()
    expect(guess.fix.change).toMatch(/^nothing in the template names the secrets GuessFunction reads/)
    expect(guess.fix.change).toContain('keep its other actions')
    expect(guess.fix.grant).toBe('secrets grant ENV/GuessFunction --function GuessFunction --secret NAME --format sam')
  })

  it('give a deploy role a finding of its own, with no grant to a function', async () => {
    const deploy = (await scan(join(FIXTURES, 'roles.yaml'))).find((item) => item.resource === 'DeployRole') as ScanFinding
    expect(deploy.rule).toBe('iam-deploy-role-secrets')
    expect(deploy.severity).toBe('medium')
    expect(deploy.fix.grant).toBeUndefined()
    expect(deploy.reason).toContain('cloudformation.amazonaws.com')
  })
})

/** Per Terraform finding: the function whose role holds the policy, what it must still be allowed, and what no longer. */
const TERRAFORM: Array<{file: string; resource: string; holder: string; allowed: Array<[string, string]>; denied: Array<[string, string]>}> = [
  {
    file: 'orders.tf',
    resource: 'aws_iam_role_policy.orders',
    holder: 'orders-prod',
    allowed: [[GET, secret('aws_secretsmanager_secret.db')], ['logs:PutLogEvents', LOG_STREAM], ['dynamodb:PutItem', TABLE]],
    denied: [[GET, ANOTHER_SECRET]],
  },
  {
    file: 'reports.tf',
    resource: 'data.aws_iam_policy_document.reports',
    holder: 'reports-prod',
    allowed: [[GET, secret('var.api_key_secret_arn')], ['secretsmanager:DescribeSecret', ANOTHER_SECRET], ['sqs:ReceiveMessage', `arn:aws:sqs:${IN}:reports`]],
    denied: [[GET, ANOTHER_SECRET]],
  },
  {
    file: 'admin.tf',
    resource: 'aws_iam_role_policy.rotator',
    holder: 'rotator-prod',
    allowed: [[GET, secret('/prod/rotator/MASTER')], ['secretsmanager:PutSecretValue', ANOTHER_SECRET], ['kms:Decrypt', `arn:aws:kms:${IN}:key/1234abcd-12ab-34cd-56ef-1234567890ab`]],
    denied: [[GET, ANOTHER_SECRET]],
  },
]

// The reports document's secret reads hold in one region: the request is made there.
const IN_REGION = {'aws:RequestedRegion': AT.region}

describe("scan's Terraform IAM fixes, applied", () => {
  it('pass terraform fmt -check, are not reported again, and leave the function its other actions and its own secrets only', async () => {
    const folder = join(FIXTURES, 'terraform')
    const findings = (await scan(folder)).filter((item) => item.fix.edits !== undefined)
    expect(findings.map((item) => `${item.file.split('/').at(-1)} ${item.resource}`).sort()).toEqual(TERRAFORM.map((item) => `${item.file} ${item.resource}`).sort())
    const originals = TERRAFORM.map((expected) => join(folder, expected.file))
    expect((await terraformFmtErrors(originals)).errors).toBe(false)
    const copies = join(work, 'terraform')
    mkdirSync(copies)
    const edited = TERRAFORM.map((expected) => {
      const finding = findings.find((item) => item.file.endsWith(expected.file)) as ScanFinding
      const path = join(copies, expected.file)
      writeFileSync(path, applyEdits(readFileSync(join(folder, expected.file), 'utf8'), finding.fix.edits ?? []))
      return path
    })
    const formatted = await terraformFmtErrors(edited)
    expect(formatted.errors, formatted.output).toBe(false)

    const again = await scan(copies)
    expect(again.filter((item) => item.area === 'iam')).toEqual([])
    for (const [index, expected] of TERRAFORM.entries()) {
      const before = await terraformHeldPolicy(expected.file, readFileSync(join(folder, expected.file), 'utf8'), expected.holder, parseHcl)
      for (const [action, resource] of expected.denied) expect(await evaluate(before, action, resource, IN_REGION), `before: ${action}`).toBe('Allowed')
      const after = await terraformHeldPolicy(expected.file, readFileSync(edited[index], 'utf8'), expected.holder, parseHcl)
      for (const [action, resource] of expected.allowed) expect(await evaluate(after, action, resource, IN_REGION), `${expected.file}: ${action} on ${resource}`).toBe('Allowed')
      for (const [action, resource] of expected.denied) expect(await evaluate(after, action, resource, IN_REGION), `${expected.file}: ${action} on ${resource}`).not.toBe('Allowed')
    }
  }, 120_000)
})

describe("scan's Serverless IAM fixes, applied", () => {
  const QUEUE = `arn:aws:sqs:${IN}:payments`
  const KEY = `arn:aws:kms:${IN}:key/1234abcd-12ab-34cd-56ef-1234567890ab`
  /** Per finding: the function key whose role holds the statements, what it keeps, and what it loses. */
  const SERVERLESS = [
    {
      resource: 'provider.iam.role.statements',
      key: 'charge',
      allowed: [[GET, secret('LedgerSecret')], [GET, secret('/prod/payments/STRIPE_KEY')], ['sqs:ReceiveMessage', QUEUE], ['sqs:DeleteMessage', QUEUE]],
      denied: [[GET, ANOTHER_SECRET]],
    },
    {
      resource: 'functions.reconcile.iamRoleStatements',
      key: 'reconcile',
      allowed: [[GET, secret('LedgerSecret')], ['secretsmanager:PutSecretValue', ANOTHER_SECRET], ['kms:Decrypt', KEY]],
      denied: [[GET, ANOTHER_SECRET]],
    },
  ]

  it("keep Serverless's schema, are not reported again, and leave each function its other actions and its own secrets only", async () => {
    const file = join(FIXTURES, 'serverless', 'serverless.yml')
    const text = readFileSync(file, 'utf8')
    const findings = (await scan(file)).filter((item) => item.fix.edits !== undefined)
    expect(findings.map((item) => item.resource).sort()).toEqual(SERVERLESS.map((item) => item.resource).sort())
    expect(serverlessSchemaErrors(text)).toEqual([])
    const copies = join(work, 'serverless')
    mkdirSync(copies)
    for (const expected of SERVERLESS) {
      const finding = findings.find((item) => item.resource === expected.resource) as ScanFinding
      const edited = applyEdits(text, finding.fix.edits ?? [])
      expect(serverlessSchemaErrors(edited)).toEqual([])
      const copy = join(copies, expected.key)
      mkdirSync(copy)
      writeFileSync(join(copy, 'serverless.yml'), edited)
      const again = await scan(join(copy, 'serverless.yml'))
      expect(again.filter((item) => item.resource === expected.resource && item.rule === finding.rule)).toEqual([])
      const before = serverlessHeldPolicy(text, expected.key)
      for (const [action, resource] of expected.denied) expect(await evaluate(before, action, resource), `before: ${action}`).toBe('Allowed')
      const after = serverlessHeldPolicy(edited, expected.key)
      for (const [action, resource] of expected.allowed) expect(await evaluate(after, action, resource), `${expected.resource}: ${action} on ${resource}`).toBe('Allowed')
      for (const [action, resource] of expected.denied) expect(await evaluate(after, action, resource), `${expected.resource}: ${action} on ${resource}`).not.toBe('Allowed')
    }
  }, 120_000)
})
