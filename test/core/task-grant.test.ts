/**
 * `grant --task`: an ECS task definition family's policy goes on its task role in every format that
 * has a place for it, and --runtime prints a module (no handler, no Powertools) beside the container's
 * environment that names the secrets.
 */
import {parse as parseHcl} from '@cdktf/hcl2json'
import {parseAllDocuments} from 'yaml'
import {describe, expect, it} from 'vitest'

import {Scope} from '../../src/core/address.js'
import {buildPolicy, type Placement, PSEUDO_PLACEMENT} from '../../src/core/iam-policy.js'
import {type FunctionPolicy, renderPolicies, TASK_FORMATS, type PolicyFormat, usesPseudoParameters} from '../../src/core/policy-renderers.js'
import {functionWiring} from '../../src/core/runtime-wiring.js'
import {renderWired} from '../../src/core/wiring-renderers.js'
import {CFN_TAGS, cfnLintBatch, parseCdk, parseCfnYaml, parseTerraform, substitute, terraformFmt} from '../fixtures/grant-parsers.js'

const HERE: Placement = {partition: 'aws', region: 'eu-west-1', account: '123456789012', urlSuffix: 'amazonaws.com'}
const scope = Scope.parse('prod/web')

function policiesFor(format: PolicyFormat): FunctionPolicy[] {
  const placement = usesPseudoParameters(format) ? PSEUDO_PLACEMENT : HERE
  const grant = {functionName: 'web-prod', scope, secrets: [scope.secret('DB_PASS'), scope.secret('DB')], describe: false, kmsKeyArns: []}
  return [{functionName: 'web-prod', env: 'prod', service: 'web', document: buildPolicy(grant, placement)}]
}

const expected = policiesFor('json')[0].document.Statement

function wiring(runtime: 'nodejs' | 'python' = 'nodejs') {
  return functionWiring('web-prod', runtime, [{address: scope.secret('DB_PASS'), fields: []}, {address: scope.secret('DB'), fields: ['password']}], {rotation: new Map()}, 'library', true)
}

/** A task definition whose task role and container take what grant printed, for cfn-lint to judge in place. */
function taskTemplate(policyResources: Record<string, unknown>, environment: unknown): string {
  return JSON.stringify({
    AWSTemplateFormatVersion: '2010-09-09',
    Resources: {
      ...policyResources,
      WebProdTaskRole: {
        Type: 'AWS::IAM::Role',
        Properties: {AssumeRolePolicyDocument: {Version: '2012-10-17', Statement: [{Effect: 'Allow', Principal: {Service: 'ecs-tasks.amazonaws.com'}, Action: 'sts:AssumeRole'}]}},
      },
      WebProdTask: {
        Type: 'AWS::ECS::TaskDefinition',
        Properties: {
          Family: 'web-prod',
          TaskRoleArn: {'Fn::GetAtt': ['WebProdTaskRole', 'Arn']},
          ContainerDefinitions: [{Name: 'web', Image: 'public.ecr.aws/docker/library/node:20', Memory: 512, Environment: environment}],
        },
      },
    },
  })
}

/** Every template of this file, judged by one cfn-lint run before its tests. */
const lints = cfnLintBatch()

describe('grant --task: the policy on the task role', () => {
  lints.add('policy', () => taskTemplate((parseCfnYaml(renderPolicies('cloudformation', policiesFor('cloudformation'), {keyed: false, task: true})) as {Resources: Record<string, unknown>}).Resources, []))
  it('cloudformation and sam: an AWS::IAM::RolePolicy on <Family>TaskRole, the JSON statements, passing cfn-lint beside a task definition', () => {
    for (const format of ['cloudformation', 'sam'] as const) {
      const text = renderPolicies(format, policiesFor(format), {keyed: false, task: true})
      const parsed = substitute(parseCfnYaml(text), HERE) as {Resources: Record<string, {Type: string; Properties: {RoleName: unknown; PolicyDocument: {Statement: unknown}}}>}
      const resource = parsed.Resources.WebProdSecretsPolicy
      expect(resource.Type).toBe('AWS::IAM::RolePolicy')
      expect(resource.Properties.RoleName).toEqual({Ref: 'WebProdTaskRole'})
      expect(resource.Properties.PolicyDocument.Statement).toEqual(expected)
      expect(text).toContain('TaskRoleArn')
    }

    const lint = lints.result('policy')
    expect(lint.output).toBe('')
    expect(lint.code).toBe(0)
  })

  it('terraform: the policy document and an aws_iam_role_policy on the task role, formatted as terraform fmt wants', async () => {
    const text = renderPolicies('terraform', policiesFor('terraform'), {keyed: false, task: true})
    expect(await parseTerraform(text)).toEqual({'web-prod_secrets': expected})
    const hcl = (await parseHcl('grant.tf', text)) as {resource: {aws_iam_role_policy: Record<string, {role: string; policy: string}[]>}}
    expect(hcl.resource.aws_iam_role_policy['web-prod_secrets'][0]).toMatchObject({role: '${aws_iam_role.web-prod_task.id}', policy: '${data.aws_iam_policy_document.web-prod_secrets.json}'})
    expect(text).toContain('task_role_arn')
    const fmt = terraformFmt(text)
    expect(fmt.output).toBe('')
    expect(fmt.code).toBe(0)
  })

  it('cdk: the statements, to add with taskDefinition.addToTaskRolePolicy', () => {
    const text = renderPolicies('cdk', policiesFor('cdk'), {keyed: false, task: true})
    expect(parseCdk(text)).toEqual({webProdSecretStatements: expected})
    expect(text).toContain('taskDefinition.addToTaskRolePolicy(statement)')
    expect(text).not.toContain('fn.addToRolePolicy')
  })

  it('json: the policy document itself', () => {
    expect(JSON.parse(renderPolicies('json', policiesFor('json'), {keyed: false, task: true})).Statement).toEqual(expected)
  })

  it('serverless: refused, naming the formats that have a place for a task role', () => {
    expect(() => renderPolicies('serverless', policiesFor('serverless'), {keyed: false, task: true})).toThrow(expect.objectContaining({exitCode: 2, message: expect.stringContaining('task role')}))
  })
})

describe('grant --task --runtime', () => {
  it('prints a module that reads with the AWS SDK, not a Lambda handler or Powertools', () => {
    for (const runtime of ['nodejs', 'python'] as const) {
      const {code, task} = wiring(runtime)
      expect(task).toBe(true)
      expect(code).not.toMatch(/handler|powertools/i)
      expect(code).toMatch(runtime === 'nodejs' ? /@aws-sdk\/client-secrets-manager/ : /import boto3/)
      // The value lives in locals: the environment is only read for the secret's name.
      expect(code).not.toMatch(/process\.env\.\w+ =|os\.environ\[[^\]]+\] =/)
    }
  })

  it('refuses --via extension, a Lambda layer', () => {
    expect(() => functionWiring('web-prod', 'nodejs', [{address: scope.secret('DB_PASS'), fields: []}], {rotation: new Map()}, 'extension', true)).toThrow(/Lambda layer/)
  })

  /** The --runtime output's two documents: the policy resources, then the container's Environment. */
  function wiredDocuments(): {text: string; policyDoc: unknown; environmentDoc: unknown} {
    const text = renderWired('cloudformation', policiesFor('cloudformation'), [wiring()], {keyed: false, task: true})
    const [policyDoc, environmentDoc] = parseAllDocuments(text, {customTags: CFN_TAGS}).map((doc) => doc.toJS())
    return {text, policyDoc, environmentDoc}
  }

  lints.add('policy and environment', () => {
    const {policyDoc, environmentDoc} = wiredDocuments()
    return taskTemplate((policyDoc as {Resources: Record<string, unknown>}).Resources, (environmentDoc as {Environment: unknown}).Environment)
  })
  it('cloudformation: the policy, then the container Environment that names the secrets, passing cfn-lint in a task definition', () => {
    const {text, environmentDoc} = wiredDocuments()
    const environment = (environmentDoc as {Environment: unknown}).Environment
    expect(environment).toEqual([
      {Name: 'DB_PASS_SECRET_ID', Value: '/prod/web/DB_PASS'},
      {Name: 'DB_SECRET_ID', Value: '/prod/web/DB'},
    ])
    expect(text).toContain('# export async function readSecrets(forceFetch = false) {')
    const lint = lints.result('policy and environment')
    expect(lint.output).toBe('')
    expect(lint.code).toBe(0)
  })

  it('terraform: a locals list of name/value pairs for the container definition, formatted as terraform fmt wants', async () => {
    const text = renderWired('terraform', policiesFor('terraform'), [wiring()], {keyed: false, task: true})
    const hcl = (await parseHcl('grant.tf', text)) as {locals: Record<string, unknown>[]}
    expect(hcl.locals[0]['web-prod_environment']).toEqual([
      {name: 'DB_PASS_SECRET_ID', value: '/prod/web/DB_PASS'},
      {name: 'DB_SECRET_ID', value: '/prod/web/DB'},
    ])
    const fmt = terraformFmt(text)
    expect(fmt.output).toBe('')
    expect(fmt.code).toBe(0)
  })

  it('json and cdk: the container environment and the module', () => {
    const json = JSON.parse(renderWired('json', policiesFor('json'), [wiring()], {keyed: false, task: true}))
    expect(json.environment).toEqual([
      {name: 'DB_PASS_SECRET_ID', value: '/prod/web/DB_PASS'},
      {name: 'DB_SECRET_ID', value: '/prod/web/DB'},
    ])
    expect(json.module).toBe(wiring().code)
    expect(json.handler).toBeUndefined()
    const cdk = renderWired('cdk', policiesFor('cdk'), [wiring()], {keyed: false, task: true})
    expect(parseCdk(cdk)).toEqual({webProdSecretStatements: expected})
    expect(cdk).toContain('taskDefinition.addContainer(..., {..., environment: webProdEnvironment})')
  })

  it.each(TASK_FORMATS)('%s ends with exactly one newline', (format) => {
    const text = renderWired(format, policiesFor(format), [wiring()], {keyed: false, task: true})
    expect(text.endsWith('\n')).toBe(true)
    expect(text.endsWith('\n\n')).toBe(false)
  })
})
