import {describe, expect, it} from 'vitest'

import {scanManyForSecrets} from '../../../src/core/audit/secret-scan.js'
import {scanFile} from '../../../src/core/scan/scan-file.js'
import {parseHcl} from '../../../src/services/hcl-parser.js'

/** The IAM findings of a CloudFormation template whose Resources are given as YAML. */
async function iamFindings(resources: string) {
  const text = `AWSTemplateFormatVersion: "2010-09-09"\nConditions:\n  IsProd: !Equals [!Ref Stage, prod]\nResources:\n${resources}`
  const result = await scanFile('template.yml', text, scanManyForSecrets, parseHcl)
  if (result.kind !== 'scanned') throw new Error(`not scanned: ${JSON.stringify(result)}`)
  return result.findings.filter((item) => item.area === 'iam')
}

const SECRET = 'arn:aws:secretsmanager:*:*:secret:'
const reading = (resource: string) => `
              - Effect: Allow
                Action: secretsmanager:GetSecretValue
                Resource: ${resource}`

const role = (name: string, policies: string) => `
  ${name}:
    Type: AWS::IAM::Role
    Properties:
      Policies:${policies}
  ${name}Function:
    Type: AWS::Lambda::Function
    Properties:
      FunctionName: orders-prod
      Role: !GetAtt ${name}.Arn
`

describe('IAM users and groups in a template', () => {
  it("judges a user's inline policy, and its fix scopes the user's statement instead of granting to a function", async () => {
    const findings = await iamFindings(`
  Deployer:
    Type: AWS::IAM::User
    Properties:
      UserName: ci-deployer
      Policies:
        - PolicyName: everything
          PolicyDocument:
            Statement:${reading(`'${SECRET}/prod/*'`)}
`)
    expect(findings).toHaveLength(1)
    expect(findings[0]).toMatchObject({rule: 'iam-whole-environment', resource: 'Deployer', variable: 'everything', line: 16})
    expect(findings[0].reason).toMatch(/; held by user ci-deployer$/)
    expect(findings[0].fix.grant).toBeUndefined()
    expect(findings[0].fix.change).toBe(
      'a user is not a function (no grant): scope the statement of user ci-deployer to the secrets it reads (Resource arn:aws:secretsmanager:REGION:ACCOUNT:secret:/prod/SERVICE/NAME-??????, one per secret)',
    )
  })

  it("judges a group's attached AWS managed policy by name and why", async () => {
    const [finding] = await iamFindings(`
  Readers:
    Type: AWS::IAM::Group
    Properties:
      ManagedPolicyArns: [!Sub 'arn:\${AWS::Partition}:iam::aws:policy/AmazonSSMFullAccess']
`)
    expect(finding).toMatchObject({rule: 'iam-all-secrets', resource: 'Readers', variable: 'AmazonSSMFullAccess'})
    expect(finding.reason).toBe('AmazonSSMFullAccess (AWS managed) allows ssm:* on every parameter, SecureStrings included, decrypted under the default aws/ssm key; held by group Readers')
    expect(finding.fix.change).toMatch(/^a group is not a function \(no grant\): detach AmazonSSMFullAccess from group Readers/)
  })
})

describe('policies under Fn::If', () => {
  it('judges each branch of a Resource, naming the condition of the one that reads every secret', async () => {
    const findings = await iamFindings(role('Orders', `
        - PolicyName: by-stage
          PolicyDocument:
            Statement:${reading(`!If [IsProd, '${SECRET}/prod/orders/*', '*']`)}`))
    expect(findings.map((item) => [item.rule, item.variable, item.reason])).toEqual([
      ['iam-all-secrets', 'by-stage (unless IsProd)', 'Allow secretsmanager:GetSecretValue on * (statement #1); in the Fn::If branch taken when IsProd is false'],
    ])
  })

  it('does not call one environment per branch several environments', async () => {
    const findings = await iamFindings(role('Orders', `
        - PolicyName: by-stage
          PolicyDocument:
            Statement:${reading(`!If [IsProd, '${SECRET}/prod/orders/*', '${SECRET}/staging/*']`)}`))
    expect(findings.map((item) => [item.rule, item.variable])).toEqual([['iam-whole-environment', 'by-stage (unless IsProd)']])
  })

  it('judges each branch of a whole policy document, in the long form', async () => {
    const findings = await iamFindings(role('Orders', `
        - PolicyName: whole
          PolicyDocument:
            Fn::If:
              - IsProd
              - Statement: [{Effect: Allow, Action: 'ssm:GetParametersByPath', Resource: 'arn:aws:ssm:*:*:parameter/prod/*'}]
              - Statement: [{Effect: Allow, Action: 'ssm:GetParameter', Resource: 'arn:aws:ssm:*:*:parameter/staging/orders/DB_PASS'}]`))
    expect(findings.map((item) => [item.rule, item.line, item.variable])).toEqual([['iam-whole-environment', 14, 'whole (if IsProd)']])
  })

  it('judges a role in each reading of its policies together, and gives two branches two fingerprints', async () => {
    const findings = await iamFindings(role('Orders', `
        - PolicyName: api
          PolicyDocument:
            Statement:${reading(`'${SECRET}/prod/api/*'`)}
        - PolicyName: worker
          PolicyDocument:
            Statement:${reading(`!If [IsProd, '${SECRET}/prod/worker/*', '${SECRET}/staging/worker/*']`)}
        - PolicyName: everything-outside-prod
          PolicyDocument:
            Statement:${reading(`!If [IsProd, !Ref AWS::NoValue, '*']`)}`))
    expect(findings.map((item) => [item.rule, item.resource, item.variable ?? ''])).toEqual([
      ['iam-all-secrets', 'Orders', 'everything-outside-prod (unless IsProd)'],
    ])

    const spanning = await iamFindings(role('Orders', `
        - PolicyName: api
          PolicyDocument:
            Statement:${reading(`'${SECRET}/prod/api/*'`)}
        - PolicyName: worker
          PolicyDocument:
            Statement:${reading(`!If [IsProd, '${SECRET}/prod/worker/*', '${SECRET}/staging/worker/*']`)}`))
    expect(spanning.map((item) => [item.rule, item.variable ?? '', item.reason])).toEqual([
      ['iam-role-spans-environments', 'unless IsProd', 'its policies together read secrets of 2 environments (prod, staging); in the Fn::If branch taken when IsProd is false'],
    ])

    const branches = await iamFindings(role('Orders', `
        - PolicyName: either
          PolicyDocument:
            Statement:${reading(`!If [IsProd, '${SECRET}/prod/*', '${SECRET}/staging/*']`)}`))
    expect(branches.map((item) => item.rule)).toEqual(['iam-whole-environment', 'iam-whole-environment'])
    expect(new Set(branches.map((item) => item.fingerprint)).size).toBe(2)
  })
})

describe('SecureString reads in a template', () => {
  it('names kms:Decrypt on every key beside an SSM read in the reason', async () => {
    const [finding] = await iamFindings(role('Params', `
        - PolicyName: parameters
          PolicyDocument:
            Statement:
              - Effect: Allow
                Action: [ssm:GetParameter, ssm:GetParameters]
                Resource: '*'
              - Sid: Keys
                Effect: Allow
                Action: kms:Decrypt
                Resource: '*'`))
    expect(finding.reason).toBe(
      "Allow ssm:GetParameter, ssm:GetParameters on * (statement #1): SecureString parameters are secrets, returned decrypted; with kms:Decrypt on * (statement Keys), which decrypts every key's ciphertext, customer managed keys included",
    )
  })
})
