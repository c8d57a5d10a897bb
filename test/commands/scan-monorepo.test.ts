/**
 * scan in a large repository: vendored and build trees are passed over with a line each, and data
 * files that are not templates are not parsed.
 */
import {describe, expect, it} from 'vitest'

import {runCli} from '../helpers/cli.js'
import {LEAKY_TEMPLATE, OFFLINE_ENV, workspaces} from '../helpers/scan.js'

const workspace = workspaces('scan-mono-')

interface Report {
  findings: Array<{file: string; variable?: string}>
  templates: Array<{file: string}>
  unparsable: Array<{file: string}>
  skipped: Array<{file: string; reason: string}>
}

describe('scan in a monorepo', () => {
  it('passes over vendored and build trees, naming each, and reads one when it is named', async () => {
    const dir = workspace({
      'app/template.yaml': LEAKY_TEMPLATE,
      'app/.aws-sam/build/template.yaml': LEAKY_TEMPLATE,
      'lambda/vendor/github.com/x/template.yaml': LEAKY_TEMPLATE,
      'lambda/.venv/lib/python3.12/site-packages/botocore/data/template.yaml': LEAKY_TEMPLATE,
      'infra/.terraform/modules/m/template.yaml': LEAKY_TEMPLATE,
      'sls/.serverless/cloudformation-template-update-stack.json': JSON.stringify({Resources: {Fn: {Type: 'AWS::Lambda::Function', Properties: {Environment: {Variables: {DB_PASSWORD: 'hunter2-CANARY-value'}}}}}}),
    })
    const result = await runCli(['scan', '--json'], {env: OFFLINE_ENV, cwd: dir})
    expect(result.code, result.stderr).toBe(7)
    const report = JSON.parse(result.stdout) as Report
    // Before: six findings, five of them in copies and vendored code.
    expect(report.findings.map((item) => item.file)).toEqual(['app/template.yaml'])
    expect(report.skipped).toEqual([
      {file: 'app/.aws-sam', reason: "SAM's build output (copies of the template): not read (name it as a PATH to scan it)"},
      {file: 'infra/.terraform', reason: "Terraform's downloaded providers and modules: not read (name it as a PATH to scan it)"},
      {file: 'lambda/.venv/lib/python3.12/site-packages', reason: "a Python environment's packages: not read (name it as a PATH to scan it)"},
      {file: 'lambda/vendor', reason: 'vendored packages: not read (name it as a PATH to scan it)'},
      {file: 'sls/.serverless', reason: "Serverless Framework's build output: not read (name it as a PATH to scan it)"},
    ])
    const named = await runCli(['scan', 'lambda/vendor', '--json'], {env: OFFLINE_ENV, cwd: dir})
    expect((JSON.parse(named.stdout) as Report).findings.map((item) => item.file)).toEqual(['lambda/vendor/github.com/x/template.yaml'])
  })

  it('does not parse JSON data that is not a template, even where YAML would refuse it', async () => {
    // An SDK model: valid JSON with a repeated key, which the YAML reader refuses; "Resources" only deep inside.
    const shapes = Array.from({length: 500}, (_, i) => `"Shape${i}": {"members": {"Resources": {"shape": "List"}}}`).join(',')
    const dir = workspace({'models/ec2.json': `{"version": "2.0", "shapes": {${shapes}}, "version": "2.1"}`, 'template.yaml': LEAKY_TEMPLATE})
    const result = await runCli(['scan', '--json'], {env: OFFLINE_ENV, cwd: dir})
    // Before: exit 2, the model reported as a template that could not be parsed.
    expect(result.code, result.stderr).toBe(7)
    const report = JSON.parse(result.stdout) as Report
    expect(report.unparsable).toEqual([])
    expect(report.templates.map((item) => item.file)).toEqual(['template.yaml'])
  })

  it('hands the HCL parser only .tf files that declare something scan reads', async () => {
    // Variables and a list the parser would take minutes over: nothing scan judges, so never parsed.
    const expensive = `variable "region" {}\n\nlocals {\n  x = [${Array.from({length: 2_400_000}, () => '1').join(',')}]\n}\n`
    const dir = workspace({'variables.tf': expensive, 'main.tf': 'resource "aws_lambda_function" "api" {\n  function_name = "prod-api"\n  environment {\n    variables = {\n      DB_PASSWORD = "hunter2-CANARY-value"\n    }\n  }\n}\n'})
    const result = await runCli(['scan', '--json'], {env: {...OFFLINE_ENV, DEBUG: 'secrets:hcl'}, cwd: dir})
    // Before: exit 2, variables.tf refused as too complex after the parser's budget ran out.
    expect(result.code, result.stderr).toBe(7)
    const report = JSON.parse(result.stdout) as Report
    expect(report.unparsable).toEqual([])
    expect(report.templates.map((item) => item.file)).toEqual(['main.tf'])
    expect(report.findings.map((item) => item.variable)).toEqual(['DB_PASSWORD'])
    const named = await runCli(['scan', 'variables.tf', '--json'], {env: OFFLINE_ENV, cwd: dir})
    expect(named.code, named.stderr).toBe(0)
    expect((JSON.parse(named.stdout) as Report).skipped).toEqual([
      {file: 'variables.tf', reason: 'declares nothing scan reads (no function, task definition, parameter, IAM or Secrets Manager block)'},
    ])
  })
})
