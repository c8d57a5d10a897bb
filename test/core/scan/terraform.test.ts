import {describe, expect, it} from 'vitest'

import {scanManyForSecrets} from '../../../src/core/audit/secret-scan.js'
import type {ScanFinding} from '../../../src/core/scan/findings.js'
import {scanFile} from '../../../src/core/scan/scan-file.js'
import {parseHcl} from '../../../src/services/hcl-parser.js'

async function findingsOf(text: string): Promise<ScanFinding[]> {
  const result = await scanFile('main.tf', text, scanManyForSecrets, parseHcl)
  if (result.kind !== 'scanned') throw new Error(`not scanned: ${JSON.stringify(result)}`)
  return result.findings
}

const lineOf = (text: string, needle: string) => text.split('\n').findIndex((line) => line.includes(needle)) + 1

const task = (definitions: string) => `resource "aws_ecs_task_definition" "jobs" {
  family                = "jobs-prod"
  container_definitions = ${definitions}
}
`

describe('Terraform ECS environment positions', () => {
  const jsonencode = task(`jsonencode([{
    name = "jobs"
    environment = [
      {
        value = "first-literal-value"
        name  = "FIRST_PASSWORD"
      },
      {
        name  = "SECOND_PASSWORD"
        value = "second-literal-value"
      },
      { value = "third-literal-value", name = "THIRD_PASSWORD" },
    ]
  }])`)
  const heredoc = task(`<<EOF
[{
  "name": "jobs",
  "environment": [
    {
      "value": "first-literal-value",
      "name": "FIRST_PASSWORD"
    },
    {
      "name": "SECOND_PASSWORD",
      "value": "second-literal-value"
    },
    {"value": "third-literal-value", "name": "THIRD_PASSWORD"}
  ]
}]
EOF`)

  for (const [form, text] of [
    ['jsonencode', jsonencode],
    ['a heredoc', heredoc],
  ]) {
    it(`points at the value of the entry itself, whichever of its keys comes first, in ${form}`, async () => {
      const findings = await findingsOf(text)
      const at = Object.fromEntries(findings.map((item) => [item.variable, {line: item.line, column: item.column}]))
      expect(at['jobs/FIRST_PASSWORD'].line).toBe(lineOf(text, 'first-literal-value'))
      expect(at['jobs/SECOND_PASSWORD'].line).toBe(lineOf(text, 'second-literal-value'))
      expect(at['jobs/THIRD_PASSWORD'].line).toBe(lineOf(text, 'third-literal-value'))
      const third = text.split('\n')[at['jobs/THIRD_PASSWORD'].line - 1]
      expect(third.slice(at['jobs/THIRD_PASSWORD'].column - 1)).toMatch(/^"third-literal-value"/)
    })
  }

  it('points at the entry of each container when two containers use the same name', async () => {
    const text = task(`jsonencode([
    { name = "web", environment = [{ name = "API_PASSWORD", value = "web-literal" }] },
    { name = "worker", environment = [
      { value = "worker-literal", name = "API_PASSWORD" },
    ] },
  ])`)
    const findings = await findingsOf(text)
    expect(findings.map((item) => [item.variable, item.line])).toEqual([
      ['web/API_PASSWORD', lineOf(text, 'web-literal')],
      ['worker/API_PASSWORD', lineOf(text, 'worker-literal')],
    ])
  })
})

describe('Terraform references that carry a secret into an environment', () => {
  const lambda = (variables: string, prelude = '') => `${prelude}
resource "aws_lambda_function" "api" {
  function_name = "prod-api"
  environment {
    variables = {
${variables}
    }
  }
}
`

  it('names the reference in the reason, and takes the secret name from the data source for the grant (no store: it is stored)', async () => {
    const [finding] = await findingsOf(
      lambda(
        '      PAYMENT = jsondecode(data.aws_secretsmanager_secret_version.payment.secret_string)["key"]',
        'data "aws_secretsmanager_secret_version" "payment" {\n  secret_id = "prod/api/payment"\n}\n',
      ),
    )
    expect(finding).toMatchObject({rule: 'env-resolved-secret', variable: 'PAYMENT'})
    expect(finding.reason).toContain('is filled from a Secrets Manager secret Terraform reads when it applies (data.aws_secretsmanager_secret_version.payment.secret_string)')
    expect(finding.fix.store).toBeUndefined()
    // `prod/api/payment` (no leading slash) is not /prod/api/payment: the grant names the secret read.
    expect(finding.fix.grant).toBe('secrets grant --function prod-api --id prod/api/payment --format terraform')
  })

  it('gives a SecureString the file creates its migrate command, whatever the names', async () => {
    const [finding] = await findingsOf(
      lambda(
        '      LOOKUP = data.aws_ssm_parameter.lookup.value',
        `resource "aws_ssm_parameter" "lookup" {
  name  = "/prod/api/lookup"
  type  = "SecureString"
  value = "x"
}
data "aws_ssm_parameter" "lookup" {
  name = "/prod/api/lookup"
}
`,
      ),
    )
    expect(finding.reason).toContain('a SecureString parameter Terraform reads when it applies')
    expect(finding.fix.store).toContain('secrets migrate --from-ssm /prod/api --to prod/api --only lookup')
  })

  it('leaves a parameter of unknown type to the names, and one read without decryption alone', async () => {
    const prelude = `data "aws_ssm_parameter" "plain" {
  name = "/prod/api/endpoint"
}
data "aws_ssm_parameter" "ciphertext" {
  name            = "/prod/api/token"
  with_decryption = false
}
`
    const findings = await findingsOf(
      lambda(
        ['      ENDPOINT = data.aws_ssm_parameter.plain.value', '      TOKEN = data.aws_ssm_parameter.plain.value', '      RAW_TOKEN = data.aws_ssm_parameter.ciphertext.value'].join('\n'),
        prelude,
      ),
    )
    expect(findings.map((item) => item.variable)).toEqual(['TOKEN'])
  })

  it('reports a variable declared sensitive whatever its name, and any other variable by its name', async () => {
    const [sensitive] = await findingsOf(lambda('      CONFIG = var.blob', 'variable "blob" {\n  type      = string\n  sensitive = true\n}\n'))
    expect(sensitive.reason).toContain('a Terraform variable declared sensitive (var.blob)')
    expect(sensitive.fix.store).toBe('secrets set prod/api CONFIG')
    // Declared elsewhere in the module (variables.tf), or here without `sensitive`: the value still lands in the configuration.
    for (const prelude of ['', 'variable "api_key" {\n  type = string\n}\n']) {
      const [finding] = await findingsOf(lambda('      API_KEY = var.api_key\n      REGION = var.region\n      CONFIG = var.blob_name', prelude))
      expect(finding).toMatchObject({variable: 'API_KEY', rule: 'env-resolved-secret'})
      expect(finding.reason).toContain('a Terraform input variable (var.api_key)')
    }

    const [byItsOwnName] = await findingsOf(lambda('      UPSTREAM = var.upstream_token'))
    expect(byItsOwnName.variable).toBe('UPSTREAM')
  })

  it('follows locals, and stops at a cycle', async () => {
    const prelude = 'locals {\n  first = local.second\n  second = local.first\n  password = "${local.first}${random_password.db.result}"\n}\n'
    const findings = await findingsOf(lambda('      LOOP = local.first\n      DB = local.password', prelude))
    expect(findings.map((item) => [item.variable, item.reason.includes('(local.password, from random_password.db.result)')])).toEqual([['DB', true]])
  })

  it('counts a random_string as a secret only when it or the variable is named like one', async () => {
    const findings = await findingsOf(
      lambda(
        [
          '      SUFFIX = random_string.suffix.result',
          '      SESSION = random_string.session_token.result',
          '      SIGNING_SECRET = random_string.suffix.result',
        ].join('\n'),
      ),
    )
    expect(findings.map((item) => item.variable).sort()).toEqual(['SESSION', 'SIGNING_SECRET'])
  })
})

describe('Terraform inline policies of users, groups and roles', () => {
  const readAll = 'jsonencode({ Statement = [{ Effect = "Allow", Action = "secretsmanager:GetSecretValue", Resource = "*" }] })'

  it('judges a user policy, named for its user, with no grant: a user is not a function', async () => {
    const [finding] = await findingsOf(`resource "aws_iam_user" "ci" {
  name = "ci-deploy"
}
resource "aws_iam_user_policy" "ci" {
  user   = aws_iam_user.ci.name
  policy = ${readAll}
}
`)
    expect(finding).toMatchObject({rule: 'iam-all-secrets', resource: 'aws_iam_user_policy.ci', variable: 'IAM user ci-deploy', line: 6})
    // A user is not a function: its own statement is scoped, and no grant names it as one.
    expect(finding.fix.grant).toBeUndefined()
    expect(finding.fix.change).toMatch(/^a user is not a function \(no grant\): scope the statement of user ci-deploy/)
  })

  it('grants a role policy to the function that runs as the role, never to the policy\'s address', async () => {
    const findings = await findingsOf(`resource "aws_lambda_function" "api" {
  function_name = "orders-api-prod"
  role          = aws_iam_role.api.arn
}
resource "aws_iam_role_policy" "api" {
  role   = aws_iam_role.api.id
  policy = ${readAll}
}
resource "aws_iam_role_policy" "orphan" {
  role   = aws_iam_role.other.id
  policy = ${readAll}
}
`)
    const used = findings.find((item) => item.resource === 'aws_iam_role_policy.api')
    expect(used?.fix.grant).toBe('secrets grant prod/orders-api --function orders-api-prod --secret NAME --format terraform')
    const orphan = findings.find((item) => item.resource === 'aws_iam_role_policy.orphan')
    expect(orphan?.fix.grant).toMatch(/--function FUNCTION /)
    expect(orphan?.fix.change).toContain('fill in FUNCTION')
    for (const item of findings) expect(item.fix.grant).not.toMatch(/--function aws_/)
  })

  it('tells a deploy role from a function by its trust policy', async () => {
    const [finding] = await findingsOf(`resource "aws_iam_role" "deploy" {
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "codebuild.amazonaws.com" } }]
  })
}
resource "aws_iam_role_policy" "deploy" {
  role   = aws_iam_role.deploy.id
  policy = ${readAll}
}
`)
    expect(finding).toMatchObject({rule: 'iam-deploy-role-secrets', resource: 'aws_iam_role_policy.deploy'})
    expect(finding.reason).toContain('codebuild.amazonaws.com')
    expect(finding.fix.grant).toBeUndefined()
  })

  it('names the group on the policy document its group policy refers to', async () => {
    const [finding] = await findingsOf(`resource "aws_iam_group_policy" "developers" {
  group  = "developers"
  policy = data.aws_iam_policy_document.all.json
}
data "aws_iam_policy_document" "all" {
  statement {
    actions   = ["secretsmanager:GetSecretValue"]
    resources = ["*"]
  }
}
`)
    expect(finding).toMatchObject({rule: 'iam-all-secrets', resource: 'data.aws_iam_policy_document.all', variable: 'IAM group developers', line: 8})
  })

  it('judges each inline_policy block of a role at its own statement', async () => {
    const text = `resource "aws_iam_role" "api" {
  name = "prod-api"
  inline_policy {
    name   = "first"
    policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "secretsmanager:GetSecretValue", Resource = "arn:aws:secretsmanager:*:*:secret:/prod/api/*" }] })
  }
  inline_policy {
    name   = "second"
    policy = ${readAll}
  }
}
`
    const [finding] = await findingsOf(text)
    expect(finding).toMatchObject({rule: 'iam-all-secrets', resource: 'aws_iam_role.api', variable: 'second', line: 9})
  })
})
