import {describe, expect, it} from 'vitest'

import {scanManyForSecrets} from '../../../src/core/audit/secret-scan.js'
import {scanFile} from '../../../src/core/scan/scan-file.js'
import {parseHcl} from '../../../src/services/hcl-parser.js'

async function findings(file: string, text: string) {
  const result = await scanFile(file, text, scanManyForSecrets, parseHcl)
  expect(result.kind).toBe('scanned')
  return result.kind === 'scanned' ? result.findings : []
}

const heredoc = (principal: string, action: string) => `resource "aws_secretsmanager_secret" "vault" {
  name = "vault"
}

resource "aws_secretsmanager_secret_policy" "vault" {
  secret_arn = aws_secretsmanager_secret.vault.arn

  policy = <<JSON
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "Everything",
      "Effect": "Allow",
      "Principal": {"AWS": "${principal}"},
      "Action": "${action}",
      "Resource": "*"
    }
  ]
}
JSON
}
`

describe('secrets scan on resource policies of secrets', () => {
  it('reads a heredoc policy: everyone with secretsmanager:* is reported at the policy argument, with the secret it is attached to', async () => {
    const [finding, ...rest] = await findings('main.tf', heredoc('*', 'secretsmanager:*'))
    expect(rest).toEqual([])
    expect(finding).toMatchObject({rule: 'secret-policy-public', severity: 'high', line: 8, resource: 'aws_secretsmanager_secret_policy.vault', variable: 'Everything'})
    expect(finding.reason).toMatch(/^the resource policy of aws_secretsmanager_secret\.vault: Allow secretsmanager:\* to any principal/)
    expect(finding.fix.change).toMatch(/aws:PrincipalOrgID/)
  })

  it('leaves a heredoc policy alone whose principal names no account it can read', async () => {
    expect(await findings('main.tf', heredoc('arn:aws:iam::var.account:saml-provider/var.name', 'secretsmanager:GetSecretValue'))).toEqual([])
  })

  it('says when BlockPublicPolicy would refuse a public policy, and reads a policy given as a JSON string', async () => {
    const template = `Resources:
  Open:
    Type: AWS::SecretsManager::ResourcePolicy
    Properties:
      SecretId: prod/api/TOKEN
      BlockPublicPolicy: true
      ResourcePolicy: '{"Statement": {"Effect": "Allow", "Principal": "*", "Action": "secretsmanager:GetSecretValue", "Resource": "*"}}'
`
    const [finding] = await findings('template.yaml', template)
    expect(finding).toMatchObject({rule: 'secret-policy-public', line: 7, resource: 'Open', variable: '#1'})
    expect(finding.reason).toMatch(/^the resource policy of prod\/api\/TOKEN: .*; BlockPublicPolicy is true, so Secrets Manager refuses it/)
  })

  it('does not take a secret policy document for an identity policy that reads every secret', async () => {
    const template = `data "aws_iam_policy_document" "shared" {
  statement {
    actions   = ["secretsmanager:GetSecretValue"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::\${data.aws_caller_identity.current.account_id}:role/app"]
    }
  }
}

resource "aws_secretsmanager_secret_policy" "shared" {
  secret_arn = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:shared-AbCdEf"
  policy     = data.aws_iam_policy_document.shared.json
}
`
    expect(await findings('main.tf', template)).toEqual([])
  })
})
