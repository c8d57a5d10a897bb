import {parse as parseHcl} from '@cdktf/hcl2json'
import ts from 'typescript'
import {describe, expect, it} from 'vitest'

import {Scope} from '../../src/core/address.js'
import {buildPolicy, type Placement, PSEUDO_PLACEMENT} from '../../src/core/iam-policy.js'
import {type FunctionPolicy, POLICY_FORMATS, type PolicyFormat, usesPseudoParameters} from '../../src/core/policy-renderers.js'
import {CONFIGURATION_NOTE, functionWiring} from '../../src/core/runtime-wiring.js'
import {renderWired} from '../../src/core/wiring-renderers.js'
import {cfnLintBatch, cfnTemplateFromBlock, indentBlock, parseCdk, parseCfnYaml, parseSamYaml, parseTerraform, roleResource, samTemplateFromBlock, samTemplateOfOne, substitute, terraformFmt} from '../fixtures/grant-parsers.js'

const HERE: Placement = {partition: 'aws', region: 'eu-west-1', account: '123456789012', urlSuffix: 'amazonaws.com'}
const scope = Scope.parse('prod/api')
const FUNCTIONS = [
  {functionName: 'checkout', runtime: 'nodejs' as const, needs: [{address: scope.secret('DB_PASS'), fields: []}, {address: scope.secret('DB'), fields: ['password']}]},
  {functionName: 'worker-2', runtime: 'python' as const, needs: [{address: scope.secret('STRIPE_KEY'), fields: []}]},
]
const ENVIRONMENTS = {
  checkout: {DB_PASS_SECRET_ID: '/prod/api/DB_PASS', DB_SECRET_ID: '/prod/api/DB'},
  'worker-2': {STRIPE_KEY_SECRET_ID: '/prod/api/STRIPE_KEY'},
}

function rendered(format: PolicyFormat, count = 2): {text: string; policies: FunctionPolicy[]} {
  const placement = usesPseudoParameters(format) ? PSEUDO_PLACEMENT : HERE
  const fns = FUNCTIONS.slice(0, count)
  const policies = fns.map((fn) => ({
    functionName: fn.functionName,
    env: 'prod',
    service: 'api',
    document: buildPolicy({functionName: fn.functionName, scope, secrets: fn.needs.map((need) => need.address), describe: false, kmsKeyArns: []}, placement),
  }))
  const wirings = fns.map((fn) => functionWiring(fn.functionName, fn.runtime, fn.needs, {rotation: new Map()}))
  return {text: renderWired(format, policies, wirings, {keyed: count > 1}), policies}
}

/** Every template of this file, judged by one cfn-lint run before its tests. */
const lints = cfnLintBatch()

describe('grant --runtime, in each format', () => {
  it('json: the policy, the environment and the handler as fields, keyed by function', () => {
    const parsed = JSON.parse(rendered('json').text)
    expect(Object.keys(parsed)).toEqual(['checkout', 'worker-2'])
    expect(parsed.checkout.environment).toEqual(ENVIRONMENTS.checkout)
    expect(parsed.checkout.comment).toBe(CONFIGURATION_NOTE)
    expect(parsed.checkout.policy.Statement[0].Action).toEqual(['secretsmanager:GetSecretValue'])
    expect(parsed.checkout.handler).toContain("from '@aws-lambda-powertools/parameters/secrets'")
    expect(parsed['worker-2'].handler).toContain('from aws_lambda_powertools.utilities import parameters')
  })

  lints.add('sam, pasted', () => samTemplateFromBlock(rendered('sam').text))
  lints.add('sam, one function', () => samTemplateOfOne(rendered('sam', 1).text))
  it('sam: Environment.Variables beside Policies under the function, passing cfn-lint', () => {
    const {text} = rendered('sam')
    // Several functions: one document, each function's Policies and Environment under its logical ID.
    expect(parseSamYaml(text)).toHaveLength(1)
    const doc = substitute(parseCfnYaml(text), HERE) as {Resources: Record<string, {Properties: {Environment: {Variables: unknown}; Policies: unknown[]}}>}
    expect(Object.values(doc.Resources).map((resource) => resource.Properties.Environment.Variables)).toEqual([ENVIRONMENTS.checkout, ENVIRONMENTS['worker-2']])
    expect(text).toContain("configuration, not a secret")
    const pasted = lints.result('sam, pasted')
    expect(pasted.output).toBe('')
    expect(pasted.code).toBe(0)
    const lint = lints.result('sam, one function')
    expect(lint.output).toBe('')
    expect(lint.code).toBe(0)
  })

  lints.add('cloudformation, pasted', () => cfnTemplateFromBlock(rendered('cloudformation').text))
  it('cloudformation, several functions: one document of Resources, the policies beside each function\'s Environment, passing cfn-lint in a template', () => {
    const {text} = rendered('cloudformation')
    expect(parseSamYaml(text)).toHaveLength(1)
    const doc = substitute(parseCfnYaml(text), HERE) as {Resources: Record<string, {Type?: string; Properties: {Environment?: {Variables: unknown}}}>}
    expect(Object.keys(doc.Resources)).toEqual(['CheckoutProdSecretsPolicy', 'Worker2ProdSecretsPolicy', 'Checkout', 'Worker2'])
    expect(doc.Resources.Checkout).toEqual({Properties: {Environment: {Variables: ENVIRONMENTS.checkout}}})
    expect(doc.Resources.Worker2).toEqual({Properties: {Environment: {Variables: ENVIRONMENTS['worker-2']}}})
    const lint = lints.result('cloudformation, pasted')
    expect(lint.output).toBe('')
    expect(lint.code).toBe(0)
  })

  lints.add('cloudformation, one function', () => {
    const [resources, variables] = rendered('cloudformation', 1).text.split('---\n')
    return [
      'AWSTemplateFormatVersion: "2010-09-09"',
      resources.trimEnd(),
      roleResource('CheckoutRole').trimEnd(),
      '  Checkout:',
      '    Type: AWS::Lambda::Function',
      '    Properties:',
      '      Runtime: nodejs20.x',
      '      Handler: handler.handler',
      '      Role: !GetAtt CheckoutRole.Arn',
      '      Code: {ZipFile: "export const handler = async () => ({})"}',
      indentBlock(variables, '      '),
    ].join('\n')
  })
  it('cloudformation: the policy resources, then each function\'s Environment, passing cfn-lint in a template', () => {
    const {text} = rendered('cloudformation', 1)
    const [, environment] = parseSamYaml(text) as [unknown, {Environment: {Variables: Record<string, string>}}]
    expect(environment.Environment.Variables).toEqual(ENVIRONMENTS.checkout)
    const lint = lints.result('cloudformation, one function')
    expect(lint.output).toBe('')
    expect(lint.code).toBe(0)
  })

  it('serverless: environment beside iamRoleStatements under each function', () => {
    const parsed = parseCfnYaml(rendered('serverless').text) as {functions: Record<string, {environment: unknown; iamRoleStatements: unknown[]}>}
    expect(parsed.functions.checkout.environment).toEqual(ENVIRONMENTS.checkout)
    expect(parsed.functions['worker-2'].environment).toEqual(ENVIRONMENTS['worker-2'])
    expect(parsed.functions.checkout.iamRoleStatements).toHaveLength(1)
  })

  it('serverless: keys each function by its key in serverless.yml, the handler comment too', () => {
    const {policies} = rendered('serverless', 1)
    const wiring = functionWiring(FUNCTIONS[0].functionName, FUNCTIONS[0].runtime, FUNCTIONS[0].needs, {rotation: new Map()})
    const text = renderWired('serverless', [{...policies[0], functionName: 'shop-prod-checkout', templateKey: 'checkout'}], [wiring], {keyed: false})
    const parsed = parseCfnYaml(text) as {functions: Record<string, unknown>}
    expect(Object.keys(parsed.functions)).toEqual(['checkout'])
    expect(text).toMatch(/^# checkout:$/m)
  })

  it('terraform: a locals map per function for environment { variables }, formatted as terraform fmt wants', async () => {
    const {text} = rendered('terraform')
    const json = (await parseHcl('grant.tf', text)) as {locals: Record<string, unknown>[]}
    expect(Object.assign({}, ...json.locals)).toEqual({checkout_prod_environment: ENVIRONMENTS.checkout, 'worker-2_prod_environment': ENVIRONMENTS['worker-2']})
    expect(Object.keys(await parseTerraform(text))).toEqual(['checkout_prod_secrets', 'worker-2_prod_secrets'])
    expect(text).toContain('environment { variables = local.checkout_prod_environment }')
    const fmt = terraformFmt(text)
    expect(fmt.output).toBe('')
    expect(fmt.code).toBe(0)
  })

  it('cdk: an exported environment object per function, valid TypeScript', () => {
    const {text} = rendered('cdk')
    expect(Object.keys(parseCdk(text))).toEqual(['checkoutProdSecretStatements', 'worker2ProdSecretStatements'])
    const source = ts.createSourceFile('grant.ts', text, ts.ScriptTarget.ES2022, true)
    const objects: Record<string, unknown> = {}
    for (const statement of source.statements) {
      if (!ts.isVariableStatement(statement)) continue
      for (const declaration of statement.declarationList.declarations) {
        if (declaration.initializer && ts.isObjectLiteralExpression(declaration.initializer)) {
          objects[declaration.name.getText(source)] = JSON.parse(declaration.initializer.getText(source).replaceAll(/(\w+):/g, '"$1":').replace(/,\s*}$/, '}'))
        }
      }
    }

    expect(objects).toEqual({checkoutProdEnvironment: ENVIRONMENTS.checkout, worker2ProdEnvironment: ENVIRONMENTS['worker-2']})
  })

  it.each(POLICY_FORMATS)('%s carries each handler and the cache age, and ends with one newline', (format) => {
    const {text} = rendered(format)
    expect(text).toMatch(/getSecret\(process\.env\.DB_PASS_SECRET_ID, \{maxAge: MAX_AGE\}\)/)
    expect(text).toMatch(/get_secret\(os\.environ\[\\?"STRIPE_KEY_SECRET_ID\\?"\], max_age=MAX_AGE\)/)
    expect(text).toMatch(/Cache: maxAge 300 s/)
    expect(text.endsWith('\n')).toBe(true)
    expect(text.endsWith('\n\n')).toBe(false)
  })
})

describe('grant --runtime --via extension', () => {
  function extension(format: PolicyFormat): string {
    const placement = usesPseudoParameters(format) ? PSEUDO_PLACEMENT : HERE
    const [fn] = FUNCTIONS
    const policies = [{functionName: fn.functionName, env: 'prod', service: 'api', document: buildPolicy({functionName: fn.functionName, scope, secrets: fn.needs.map((need) => need.address), describe: false, kmsKeyArns: []}, placement)}]
    return renderWired(format, policies, [functionWiring(fn.functionName, fn.runtime, fn.needs, {rotation: new Map()}, 'extension')], {keyed: false})
  }

  lints.add('sam, extension', () => samTemplateOfOne(extension('sam'), {parameters: ['SecretsExtensionLayerArn']}))
  it('sam: the layer by its parameter beside the environment, passing cfn-lint with the parameter declared', () => {
    const text = extension('sam')
    const [doc] = parseSamYaml(text) as {Layers: unknown[]; Environment: {Variables: Record<string, string>}}[]
    expect(doc.Layers).toEqual([{Ref: 'SecretsExtensionLayerArn'}])
    expect(doc.Environment.Variables.SECRETS_MANAGER_TTL).toBe('300')
    const lint = lints.result('sam, extension')
    expect(lint.output).toBe('')
    expect(lint.code).toBe(0)
  })

  it('terraform: a variable for the layer ARN, formatted as terraform fmt wants; serverless: a param', async () => {
    const text = extension('terraform')
    const json = (await parseHcl('grant.tf', text)) as {variable: Record<string, unknown>}
    expect(Object.keys(json.variable)).toEqual(['secrets_extension_layer_arn'])
    expect(text).toContain('layers = [var.secrets_extension_layer_arn]')
    const fmt = terraformFmt(text)
    expect(fmt.output).toBe('')
    expect(fmt.code).toBe(0)
    const serverless = parseCfnYaml(extension('serverless')) as {functions: {checkout: {layers: string[]}}}
    expect(serverless.functions.checkout.layers).toEqual(['${param:SecretsExtensionLayerArn}'])
    expect(JSON.parse(extension('json')).layerParameter).toBe('SecretsExtensionLayerArn')
    expect(extension('cdk')).toContain("layers: [lambda.LayerVersion.fromLayerVersionArn(this, 'SecretsExtensionLayerArn', secretsExtensionLayerArn)]")
  })
})
