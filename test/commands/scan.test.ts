import {cpSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {ROOT, runCli} from '../helpers/cli.js'
import {sarifValidator} from '../helpers/sarif.js'
import {LEAKY_TEMPLATE, OFFLINE_ENV, workspaces} from '../helpers/scan.js'

const CORPUS = join(ROOT, 'test/fixtures/scan')

/** The SDK's client builder would announce itself under DEBUG=secrets:aws. */
const OFFLINE = {...OFFLINE_ENV, DEBUG: 'secrets:aws'}

const workspace = workspaces('scan-')


const LEAKY = LEAKY_TEMPLATE
const MEDIUM_ONLY = `Resources:
  Policy:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Statement:
          - Effect: Allow
            Action: secretsmanager:GetSecretValue
            Resource: arn:aws:secretsmanager:*:*:secret:/prod/*
`
const CLEAN = `Resources:
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Environment:
        Variables:
          DB_SECRET_ARN: !Ref DbSecret
          TOKEN_TTL: 300
`

describe('secrets scan', () => {
  it('reports the corpus grouped by file, exits 7, never prints a value and never loads the AWS SDK', async () => {
    // The launcher's trace names every bundle the run loads: scan's own, and no SDK client's.
    const result = await runCli(['scan', CORPUS], {env: {...OFFLINE, DEBUG: 'secrets:aws,secrets:code-cache'}, cwd: ROOT})
    expect(result.code).toBe(7)
    for (const file of ['test/fixtures/scan/sam/template.yaml (sam)', 'test/fixtures/scan/cloudformation/stack.yml (cloudformation)']) {
      expect(`\n${result.stdout}`).toContain(`\n${file}\n`)
    }

    expect(result.stdout).toMatch(/^ {2}46:25 {2}high {4}env-secret-value {2}CheckoutFunction GITHUB_TOKEN$/m)
    expect(result.stdout).toContain('grant:  secrets grant prod/checkout --function prod-checkout --secret GITHUB_TOKEN --format sam --runtime nodejs')
    // cdk.out is synthesized output: skipped in a walk, with the way to scan it.
    expect(result.stdout).toContain('test/fixtures/scan/cdk/cdk.out: synthesized CDK output')
    expect(result.stderr).toMatch(/findings at or above high \(--fail-on high\)/)
    expect(result.stdout + result.stderr).not.toContain('CANARY')
    expect(result.stderr).toMatch(/^secrets:code-cache commands\+scan@/m)
    expect(result.stderr).not.toMatch(/^secrets:code-cache lib\+aws-sdk/m)
  })

  it('writes --json with each finding\'s place and fix, and scans cdk.out when it is named', async () => {
    const result = await runCli(['scan', 'test/fixtures/scan/cdk/cdk.out', '--json'], {env: OFFLINE, cwd: ROOT})
    expect(result.code).toBe(7)
    const report = JSON.parse(result.stdout) as {findings: Array<Record<string, unknown>>; failOn: string; counts: {total: number}}
    expect(report.failOn).toBe('high')
    expect(report.counts.total).toBe(3)
    expect(report.findings.find((item) => item.variable === 'WEBHOOK_SECRET')).toMatchObject({
      rule: 'env-secret-name',
      file: 'test/fixtures/scan/cdk/cdk.out/OrdersStack.template.json',
      format: 'cdk',
      line: 46,
      column: 31,
      fix: {store: 'secrets set prod/orders WEBHOOK_SECRET', grant: 'secrets grant prod/orders --function prod-orders --secret WEBHOOK_SECRET --format cdk --runtime nodejs'},
    })
    expect(result.stdout).not.toContain('CANARY')
  })

  it('exits 0 below --fail-on and 7 at it', async () => {
    const dir = workspace({'policy.yaml': MEDIUM_ONLY, 'clean.yaml': CLEAN})
    const high = await runCli(['scan'], {env: OFFLINE, cwd: dir})
    expect(high.code).toBe(0)
    expect(high.stdout).toContain('1 finding (1 medium) in 2 templates of 2 files scanned.')
    const medium = await runCli(['scan', '--fail-on', 'medium'], {env: OFFLINE, cwd: dir})
    expect(medium.code).toBe(7)
  })

  it('exits 2 naming a template that does not parse and its line, after scanning the rest', async () => {
    const dir = workspace({'a-broken.yaml': 'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n  Fn: [\n', 'b-policy.yaml': MEDIUM_ONLY})
    const result = await runCli(['scan', '--json'], {env: OFFLINE, cwd: dir})
    expect(result.code).toBe(2)
    const report = JSON.parse(result.stdout) as {unparsable: Array<{file: string; line: number}>; findings: Array<{file: string}>}
    expect(report.unparsable).toEqual([expect.objectContaining({file: 'a-broken.yaml', line: expect.any(Number)})])
    expect(report.findings.map((item) => item.file)).toEqual(['b-policy.yaml'])
    const text = await runCli(['scan'], {env: OFFLINE, cwd: dir})
    expect(text.code).toBe(2)
    expect(text.stdout).toMatch(/Could not be parsed \(1\):\n {2}a-broken\.yaml:\d+: /)
    expect(text.stderr).toContain('1 template could not be parsed: a-broken.yaml.')
  })

  it('skips what git ignores, node_modules and .git, and recognises a template by its content', async () => {
    const dir = workspace({
      '.gitignore': 'build/\n*.local.yaml\n',
      'build/template.yaml': LEAKY,
      'stack.local.yaml': LEAKY,
      'node_modules/pkg/template.yaml': LEAKY,
      '.git/template.yaml': LEAKY,
      'infra/sub/.gitignore': 'secret-stack.json\n',
      'infra/sub/secret-stack.json': JSON.stringify({Resources: {Fn: {Type: 'AWS::Lambda::Function', Properties: {Environment: {Variables: {API_TOKEN: 'x-CANARY-1234'}}}}}}),
      'infra/deploy.txt.yml': LEAKY,
      'docker-compose.yml': 'services:\n  db:\n    environment:\n      POSTGRES_PASSWORD: hunter2\n',
    })
    const result = await runCli(['scan', '--json'], {env: OFFLINE, cwd: dir})
    const report = JSON.parse(result.stdout) as {findings: Array<{file: string}>; templates: Array<{file: string}>}
    expect(report.findings.map((item) => item.file)).toEqual(['infra/deploy.txt.yml'])
    expect(report.templates.map((item) => item.file)).toEqual(['infra/deploy.txt.yml'])
    expect(result.code).toBe(7)
  })

  it('scans a file named on the command line even when git ignores it', async () => {
    const dir = workspace({'.gitignore': '*.yaml\n', 'one.yaml': LEAKY})
    cpSync(join(CORPUS, 'sam/template.yaml'), join(dir, 'two.yaml'))
    const result = await runCli(['scan', 'one.yaml', 'two.yaml', '--json'], {env: OFFLINE, cwd: dir})
    const report = JSON.parse(result.stdout) as {templates: Array<{file: string}>}
    expect(report.templates.map((item) => item.file)).toEqual(['one.yaml', 'two.yaml'])
  })

  it('refuses a path that does not exist with exit 2', async () => {
    const result = await runCli(['scan', 'no-such-dir'], {env: OFFLINE, cwd: workspace({})})
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('No such file or directory: no-such-dir.')
  })

  it('writes SARIF 2.1.0 that the schema accepts, with the same exit code', async () => {
    const result = await runCli(['scan', 'test/fixtures/scan', '--format', 'sarif'], {env: OFFLINE, cwd: ROOT})
    expect(result.code).toBe(7)
    const log = JSON.parse(result.stdout) as {runs: Array<{results: Array<{locations: Array<{physicalLocation: {artifactLocation: {uri: string}}}>}>}>}
    const validate = sarifValidator()
    expect(validate(log), JSON.stringify(validate.errors)).toBe(true)
    expect(log.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri).toMatch(/^test\/fixtures\/scan\//)
    expect(result.stdout).not.toContain('CANARY')
    const both = await runCli(['scan', '--format', 'sarif', '--json'], {env: OFFLINE, cwd: ROOT})
    expect(both.code).toBe(2)
  })

  it('with --baseline, fails only on findings the baseline does not have', async () => {
    const dir = workspace({'old.yaml': LEAKY})
    const first = await runCli(['scan', '--json'], {env: OFFLINE, cwd: dir})
    expect(first.code).toBe(7)
    writeFileSync(join(dir, 'baseline.json'), first.stdout)
    const sarif = await runCli(['scan', '--format', 'sarif'], {env: OFFLINE, cwd: dir})
    writeFileSync(join(dir, 'baseline.sarif'), sarif.stdout)
    // An edit above the finding moves it; it is still the same finding.
    writeFileSync(join(dir, 'old.yaml'), `# moved down\n${LEAKY}`)
    for (const baseline of ['baseline.json', 'baseline.sarif']) {
      const known = await runCli(['scan', '--baseline', baseline], {env: OFFLINE, cwd: dir})
      expect(known.code).toBe(0)
      expect(known.stdout).toContain('(in the baseline)')
      expect(known.stdout).toContain(`1 of them in the baseline ${baseline}.`)
    }

    writeFileSync(join(dir, 'new.yaml'), LEAKY.replace('DB_PASSWORD', 'API_TOKEN'))
    const fresh = await runCli(['scan', '--baseline', 'baseline.json', '--json'], {env: OFFLINE, cwd: dir})
    expect(fresh.code).toBe(7)
    const report = JSON.parse(fresh.stdout) as {findings: Array<{file: string; baselined?: boolean}>; baseline: {known: number}}
    expect(report.findings.map((item) => [item.file, item.baselined ?? false])).toEqual([['new.yaml', false], ['old.yaml', true]])
    expect(report.baseline.known).toBe(1)
    const bad = await runCli(['scan', '--baseline', 'old.yaml'], {env: OFFLINE, cwd: dir})
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('--baseline old.yaml is not JSON')
  })

  it('reads Terraform through the HCL parser bundled in dist, and names a .tf that does not parse with its line', async () => {
    const dir = workspace({'bad.tf': 'resource "aws_lambda_function" "x" {\n  a = \n'})
    cpSync(join(CORPUS, 'terraform/main.tf'), join(dir, 'main.tf'))
    const result = await runCli(['scan', '--json'], {env: OFFLINE, cwd: dir})
    expect(result.code).toBe(7)
    const report = JSON.parse(result.stdout) as {findings: Array<{rule: string; line: number; fix: {grant?: string}}>; unparsable: unknown[]}
    expect(report.unparsable).toEqual([{file: 'bad.tf', line: 2, reason: 'HCL syntax error at line 2'}])
    expect(report.findings.find((item) => item.line === 16)).toMatchObject({
      rule: 'env-secret-value',
      fix: {grant: 'secrets grant prod/checkout --function prod-checkout --secret GITHUB_TOKEN --format terraform --runtime nodejs'},
    })
    expect(result.stdout).not.toContain('CANARY')
  })

  it('prints names from a template with their terminal controls escaped', async () => {
    const dir = workspace({'t.yaml': LEAKY.replace('  Fn:', '  "Fn\\e[2J":').replace('DB_PASSWORD:', '"DB_PASS\\e[31mWORD":')})
    const result = await runCli(['scan'], {env: OFFLINE, cwd: dir})
    expect(result.code).toBe(7)
    expect(result.stdout).toContain('Fn\\u{1b}[2J DB_PASS\\u{1b}[31mWORD')
    expect(result.stdout).not.toContain('\u001B')
  })
})
