import {copyFileSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, describe, expect, it} from 'vitest'

import {LARGE_FILE_CHARS} from '../../src/services/large-file-scan.js'
import {runCli} from '../helpers/cli.js'
import {OFFLINE_ENV} from '../helpers/scan.js'

const fixture = (name: string) => new URL(`../fixtures/scan/${name}`, import.meta.url).pathname

const dirs: string[] = []
function workspace(): string {
  const dir = mkdtempSync(join(tmpdir(), 'scan-indent-'))
  dirs.push(dir)
  return dir
}

afterAll(() => {
  for (const dir of dirs) rmSync(dir, {recursive: true, force: true})
})

interface Report {
  findings: Array<{file: string; line: number; rule: string}>
  templates: Array<{file: string}>
  unparsable: Array<{file: string; line: number}>
}

/** A role whose managed policies are a [...] and inline policy a quoted !Sub over several lines, under their keys; no finding. */
const SCOPED_ROLE = `AWSTemplateFormatVersion: '2010-09-09'
Resources:
  ReportRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument: {Version: '2012-10-17', Statement: [{Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: sts:AssumeRole}]}
      ManagedPolicyArns: [
      !Sub 'arn:\${AWS::Partition}:iam::aws:policy/AWSXRayDaemonWriteAccess'
      ]
      Policies:
        - PolicyName: read-report-key
          PolicyDocument: !Sub '{
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "secretsmanager:GetSecretValue",
          "Resource": "arn:\${AWS::Partition}:secretsmanager:\${AWS::Region}:\${AWS::AccountId}:secret:report/key-??????"}]
          }'
`

describe('secrets scan on templates indented as CloudFormation accepts them', () => {
  it('reads a template whose quoted and flow lines sit under their key, and still refuses one cfn-lint refuses (exit 2)', async () => {
    const dir = workspace()
    writeFileSync(join(dir, 'report.yaml'), SCOPED_ROLE)
    copyFileSync(fixture('cloudformation/bad/key-without-colon.yml'), join(dir, 'typo.yaml'))
    copyFileSync(fixture('cloudformation/bad/quote-across-document.yml'), join(dir, 'two-documents.yaml'))
    const result = await runCli(['scan', '--json'], {env: OFFLINE_ENV, cwd: dir})
    expect(result.code).toBe(2)
    const report = JSON.parse(result.stdout) as Report
    expect(report.templates.map((item) => item.file)).toEqual(['report.yaml'])
    expect(report.findings).toEqual([])
    expect(report.unparsable.map(({file, line}) => [file, line])).toEqual([
      ['two-documents.yaml', 11],
      ['typo.yaml', 7],
    ])
  })

  it('finds a secretsmanager:* on * in such a policy in a file large enough for the worker thread, at its line', async () => {
    const dir = workspace()
    const filler = Array.from({length: Math.ceil(LARGE_FILE_CHARS / 40)}, (_, index) => `      Note${index}: padding line to make the file large\n`).join('')
    const template = `AWSTemplateFormatVersion: '2010-09-09'
Resources:
  Padding:
    Type: AWS::SNS::Topic
    Metadata:
${filler}  BuildRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument: {Version: '2012-10-17', Statement: [{Effect: Allow, Principal: {Service: ec2.amazonaws.com}, Action: sts:AssumeRole}]}
      Policies:
        - PolicyName: everything
          PolicyDocument: !Sub '{
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "secretsmanager:*",
          "Resource": "*"}]
          }'
`
    expect(template.length).toBeGreaterThan(LARGE_FILE_CHARS)
    writeFileSync(join(dir, 'big.yaml'), template)
    const result = await runCli(['scan', '--json'], {env: OFFLINE_ENV, cwd: dir})
    const report = JSON.parse(result.stdout) as Report
    expect(report.unparsable).toEqual([])
    const policyLine = template.split('\n').findIndex((line) => line.includes('PolicyDocument: !Sub')) + 1
    expect(report.findings.map(({file, line, rule}) => [file, line, rule])).toEqual([['big.yaml', policyLine, 'iam-all-secrets']])
    expect(result.code).toBe(7)
  })
})
