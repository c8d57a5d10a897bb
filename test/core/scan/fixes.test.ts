import {describe, expect, it} from 'vitest'

import {scanManyForSecrets} from '../../../src/core/audit/secret-scan.js'
import {scanFile} from '../../../src/core/scan/scan-file.js'
import {parseHcl} from '../../../src/services/hcl-parser.js'

async function fixesOf(file: string, text: string) {
  const result = await scanFile(file, text, scanManyForSecrets, parseHcl)
  if (result.kind !== 'scanned') throw new Error(`not scanned: ${JSON.stringify(result)}`)
  return Object.fromEntries(result.findings.map((item) => [item.variable, item.fix]))
}

const SAM = `Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Runtime: python3.12
Resources:
  Payments:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: prod-payments
      Environment:
        Variables:
          DB_PASSWORD: a-literal-password
  Ledger:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: prod-ledger
      Runtime: java21
      Environment:
        Variables:
          LEDGER_TOKEN: a-literal-token
  Web:
    Type: AWS::Lambda::Function
    Properties:
      FunctionName: prod-web
      Runtime: nodejs20.x
      Environment:
        Variables:
          WEB_SECRET: a-literal-secret
`

describe("a fix's --runtime is the function's declared runtime", () => {
  it('in SAM and CloudFormation: Globals, the function, a runtime the handlers do not cover', async () => {
    const fixes = await fixesOf('template.yaml', SAM)
    // Before: --runtime nodejs on all three, and "--runtime python for a Python function" in each change.
    expect(fixes.DB_PASSWORD.grant).toMatch(/ --runtime python$/)
    expect(fixes.DB_PASSWORD.change).not.toContain('--runtime python for a Python function')
    expect(fixes.WEB_SECRET.grant).toMatch(/ --runtime nodejs$/)
    expect(fixes.LEDGER_TOKEN.grant).not.toContain('--runtime')
    expect(fixes.LEDGER_TOKEN.change).toContain('no handler is printed for java21')
  })

  it('in Serverless (the function, else the provider) and Terraform', async () => {
    const serverless = await fixesOf(
      'serverless.yml',
      'service: shop\nprovider:\n  name: aws\n  runtime: python3.11\nfunctions:\n  pay:\n    handler: h.pay\n    environment:\n      PAY_SECRET: a-literal-secret\n  ship:\n    handler: h.ship\n    runtime: go1.x\n    environment:\n      SHIP_TOKEN: a-literal-token\n',
    )
    expect(serverless.PAY_SECRET.grant).toMatch(/ --runtime python$/)
    expect(serverless.SHIP_TOKEN.grant).not.toContain('--runtime')
    const terraform = await fixesOf(
      'main.tf',
      'resource "aws_lambda_function" "api" {\n  function_name = "prod-api"\n  runtime       = "python3.12"\n  environment {\n    variables = {\n      API_SECRET = "a-literal-secret"\n    }\n  }\n}\n',
    )
    expect(terraform.API_SECRET.grant).toMatch(/ --runtime python$/)
  })

  it('keeps Node.js with the Python alternative when the template does not say', async () => {
    const fixes = await fixesOf('template.yaml', SAM.replace('    Runtime: python3.12\n', '    Timeout: 3\n'))
    expect(fixes.DB_PASSWORD.grant).toMatch(/ --runtime nodejs$/)
    expect(fixes.DB_PASSWORD.change).toContain('--runtime python for a Python function')
  })
})

describe('the secret a fix stores is the secret its grant reads', () => {
  it('grants the secret a dynamic reference names, in its own scope, not one guessed from the function', async () => {
    const fixes = await fixesOf(
      'template.yaml',
      "Resources:\n  Worker:\n    Type: AWS::Lambda::Function\n    Properties:\n      FunctionName: orders-worker-prod\n      Runtime: nodejs20.x\n      Environment:\n        Variables:\n          GITHUB_TOKEN: '{{resolve:secretsmanager:/prod/orders/GITHUB_TOKEN}}'\n          LEGACY_KEY: '{{resolve:secretsmanager:legacy-api-key:SecretString:key}}'\n",
    )
    // Before: secrets grant prod/orders-worker ... --secret GITHUB_TOKEN, a secret nobody wrote.
    expect(fixes.GITHUB_TOKEN.grant).toBe('secrets grant prod/orders --function orders-worker-prod --secret GITHUB_TOKEN --format cloudformation --runtime nodejs')
    expect(fixes.LEGACY_KEY.grant).toBe('secrets grant --function orders-worker-prod --id legacy-api-key --format cloudformation')
    const byArn = await fixesOf(
      'template.yaml',
      "Resources:\n  Worker:\n    Type: AWS::Lambda::Function\n    Properties:\n      FunctionName: orders-worker-prod\n      Runtime: nodejs20.x\n      Environment:\n        Variables:\n          DB_PASS: '{{resolve:secretsmanager:arn:aws:secretsmanager:eu-west-1:123456789012:secret:/prod/orders/DB_PASS-AbCdEf}}'\n",
    )
    // An ARN's name carries AWS's suffix, which is not part of the secret's name.
    expect(byArn.DB_PASS.grant).toBe('secrets grant prod/orders --function orders-worker-prod --secret DB_PASS --format cloudformation --runtime nodejs')
  })

  it('migrates a Parameter Store secret into the scope the grant reads', async () => {
    const fixes = await fixesOf(
      'serverless.yml',
      'service: probe\nprovider:\n  name: aws\n  runtime: nodejs20.x\n  stage: dev\nfunctions:\n  hello:\n    handler: h.hello\n    environment:\n      GITHUB_TOKEN: ${ssm:githubToken}\n      DB_PASSWORD: ${ssm:/staging/billing/db_password}\n',
    )
    const scopeOf = (command: string | undefined) => / --to ([\w.-]+\/[\w.-]+)/.exec(command ?? '')?.[1]
    const grantScope = (command: string | undefined) => /^secrets grant ([\w.-]+\/[\w.-]+) /.exec(command ?? '')?.[1]
    // Before: the store wrote to ENV/SERVICE (to fill in) while the grant read a scope guessed from the function.
    expect(scopeOf(fixes.GITHUB_TOKEN.store)).toBe(grantScope(fixes.GITHUB_TOKEN.grant))
    expect(scopeOf(fixes.DB_PASSWORD.store)).toBe('staging/billing')
    expect(grantScope(fixes.DB_PASSWORD.grant)).toBe('staging/billing')
  })
})
