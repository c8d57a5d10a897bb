import {describe, expect, it} from 'vitest'

import {Scope} from '../../src/core/address.js'
import {buildPolicy, type FunctionGrant, type Placement, PSEUDO_PLACEMENT} from '../../src/core/iam-policy.js'
import {type FunctionPolicy, POLICY_FORMATS, type PolicyFormat, renderPolicies, usesPseudoParameters} from '../../src/core/policy-renderers.js'
import {evaluate, secretArn} from '../fixtures/grant-evaluator.js'
import {cfnLintBatch, parseCdk, parseCfnYaml, parseSamYaml, parseTerraform, roleResource, samTemplateFromBlock, samTemplateOfOne, substitute, terraformFmt} from '../fixtures/grant-parsers.js'

const HERE: Placement = {partition: 'aws', region: 'eu-west-1', account: '123456789012', urlSuffix: 'amazonaws.com'}
const KEY = 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab'
const scope = Scope.parse('prod/api')

function grantFor(functionName: string, names: string[], kms = true): FunctionGrant {
  return {functionName, scope, secrets: names.map((name) => scope.secret(name)), describe: true, kmsKeyArns: kms ? [KEY] : []}
}

const GRANTS = [grantFor('checkout', ['DB_PASS', 'STRIPE_KEY']), grantFor('worker-2', ['DB_PASS'], false)]

/** The policies for a format: pseudo-parameters where CloudFormation resolves them, literal values elsewhere. */
function policiesFor(format: PolicyFormat, grants = GRANTS): FunctionPolicy[] {
  const placement = usesPseudoParameters(format) ? PSEUDO_PLACEMENT : HERE
  return grants.map((grant) => ({functionName: grant.functionName, env: 'prod', service: 'api', document: buildPolicy(grant, placement)}))
}

/** What every format must hold: the JSON policy's statements with literal values. */
const expected = Object.fromEntries(GRANTS.map((grant) => [grant.functionName, buildPolicy(grant, HERE).Statement]))

/** Every template of this file, judged by one cfn-lint run before its tests. */
const lints = cfnLintBatch()

describe('json', () => {
  it('prints one policy document for one function, and a map by function name when keyed', async () => {
    const single = JSON.parse(renderPolicies('json', policiesFor('json').slice(0, 1), {keyed: false}))
    expect(single).toEqual({Version: '2012-10-17', Statement: expected.checkout})
    const keyed = JSON.parse(renderPolicies('json', policiesFor('json'), {keyed: true}))
    expect(Object.keys(keyed)).toEqual(['checkout', 'worker-2'])
    expect(keyed['worker-2'].Statement).toEqual(expected['worker-2'])
    expect(await evaluate(keyed['worker-2'], 'secretsmanager:GetSecretValue', secretArn('/prod/api/DB_PASS'))).toBe('Allowed')
    expect(await evaluate(keyed['worker-2'], 'secretsmanager:GetSecretValue', secretArn('/prod/api/STRIPE_KEY'))).toBe('ImplicitlyDenied')
  })
})

describe('cloudformation', () => {
  const text = renderPolicies('cloudformation', policiesFor('cloudformation'), {keyed: true})

  it('is YAML whose statements, once pseudo-parameters are substituted, are the JSON policy', () => {
    const parsed = substitute(parseCfnYaml(text), HERE) as {
      Resources: Record<string, {Type: string; Properties: {RoleName: unknown; PolicyDocument: {Statement: unknown}}}>
    }
    expect(Object.keys(parsed.Resources)).toEqual(['CheckoutProdSecretsPolicy', 'Worker2ProdSecretsPolicy'])
    const checkout = parsed.Resources.CheckoutProdSecretsPolicy
    expect(checkout.Type).toBe('AWS::IAM::RolePolicy')
    expect(checkout.Properties.RoleName).toEqual({Ref: 'CheckoutRole'})
    expect(checkout.Properties.PolicyDocument.Statement).toEqual(expected.checkout)
    expect(parsed.Resources.Worker2ProdSecretsPolicy.Properties.PolicyDocument.Statement).toEqual(expected['worker-2'])
  })

  it('names each policy after the function and the environment, the environment once', () => {
    const named = substitute(parseCfnYaml(renderPolicies('cloudformation', policiesFor('cloudformation', [grantFor('orders-api-prod', ['DB_PASS']), grantFor('checkout', ['DB_PASS'])]), {keyed: true})), HERE) as {
      Resources: Record<string, {Properties: {PolicyName: string}}>
    }
    expect(Object.values(named.Resources).map((resource) => resource.Properties.PolicyName)).toEqual(['orders-api-prod-secrets', 'checkout-prod-secrets'])
  })

  it('uses !Sub with the pseudo-parameters instead of resolved values', () => {
    expect(text).toContain('!Sub arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:/prod/api/DB_PASS-??????')
    expect(text).toContain('!Sub secretsmanager.${AWS::Region}.${AWS::URLSuffix}')
    expect(text).not.toContain('123456789012:secret')
    expect(text).toContain('Version: "2012-10-17"')
  })

  lints.add('cloudformation', () => `AWSTemplateFormatVersion: "2010-09-09"\n${text}${roleResource('CheckoutRole')}${roleResource('Worker2Role')}`)
  it('passes cfn-lint inside a minimal template', () => {
    const lint = lints.result('cloudformation')
    expect(lint.output).toBe('')
    expect(lint.code).toBe(0)
  })
})

describe('sam', () => {
  const text = renderPolicies('sam', policiesFor('sam'), {keyed: true})

  it('with several functions, is one document shaped like Resources, each function\'s Policies under its logical ID', () => {
    expect(parseSamYaml(text)).toHaveLength(1)
    const doc = substitute(parseCfnYaml(text), HERE) as {Resources: Record<string, {Properties: {Policies: {Statement: unknown}[]}}>}
    expect(Object.keys(doc.Resources)).toEqual(['Checkout', 'Worker2'])
    expect(doc.Resources.Checkout.Properties.Policies[0].Statement).toEqual(expected.checkout)
    expect(doc.Resources.Worker2.Properties.Policies[0].Statement).toEqual(expected['worker-2'])
  })

  lints.add('sam, pasted', () => samTemplateFromBlock(text))
  it('that block, pasted into a template of those functions, passes cfn-lint', () => {
    const lint = lints.result('sam, pasted')
    expect(lint.output).toBe('')
    expect(lint.code).toBe(0)
  })

  lints.add('sam, one function', () => samTemplateOfOne(renderPolicies('sam', policiesFor('sam').slice(0, 1), {keyed: false})))
  it('passes cfn-lint (with the SAM transform) under a function', () => {
    const lint = lints.result('sam, one function')
    expect(lint.output).toBe('')
    expect(lint.code).toBe(0)
  })
})

describe('terraform', () => {
  it('parses as HCL into aws_iam_policy_document data sources with the JSON statements', async () => {
    const text = renderPolicies('terraform', policiesFor('terraform'), {keyed: true})
    const parsed = await parseTerraform(text)
    expect(parsed).toEqual({checkout_prod_secrets: expected.checkout, 'worker-2_prod_secrets': expected['worker-2']})
  })

  it.each([
    ['one-line lists', [grantFor('worker-2', ['DB_PASS'], false)]],
    ['lists over several lines and a condition', GRANTS],
  ])('is formatted as terraform fmt writes it, with %s', (_label, grants) => {
    const fmt = terraformFmt(renderPolicies('terraform', policiesFor('terraform', grants), {keyed: true}))
    expect(fmt.output).toBe('')
    expect(fmt.code).toBe(0)
  })

  it('refuses input that is not HCL (the parser is real)', async () => {
    await expect(parseTerraform('data "aws_iam_policy_document" "x" {\n  statement {\n')).rejects.toThrow()
  })
})

describe('serverless', () => {
  it('parses as YAML with per-function iamRoleStatements equal to the JSON statements', () => {
    const text = renderPolicies('serverless', policiesFor('serverless'), {keyed: true})
    const parsed = parseCfnYaml(text) as {functions: Record<string, {iamRoleStatements: unknown}>}
    expect(parsed.functions.checkout.iamRoleStatements).toEqual(expected.checkout)
    expect(parsed.functions['worker-2'].iamRoleStatements).toEqual(expected['worker-2'])
  })

  it('keys a function by its key in serverless.yml, not by the name it is deployed under', () => {
    const [policy] = policiesFor('serverless').slice(0, 1)
    const text = renderPolicies('serverless', [{...policy, functionName: 'shop-prod-checkout', templateKey: 'checkout'}], {keyed: false})
    const parsed = parseCfnYaml(text) as {functions: Record<string, {iamRoleStatements: unknown}>}
    expect(Object.keys(parsed.functions)).toEqual(['checkout'])
    expect(parsed.functions.checkout.iamRoleStatements).toEqual(expected.checkout)
  })
})

describe('cdk', () => {
  it('parses with the TypeScript compiler into PolicyStatements equal to the JSON statements', () => {
    const text = renderPolicies('cdk', policiesFor('cdk'), {keyed: true})
    expect(text).toMatch(/^import \* as iam from 'aws-cdk-lib\/aws-iam'/)
    expect(parseCdk(text)).toEqual({checkoutProdSecretStatements: expected.checkout, worker2ProdSecretStatements: expected['worker-2']})
  })

  it('refuses input with a syntax error (the parser is real)', () => {
    expect(() => parseCdk('export const x = [new iam.PolicyStatement({sid: "a",})')).toThrow(/syntax/)
  })

  it('gives a function name starting with a digit a valid identifier', () => {
    const text = renderPolicies('cdk', policiesFor('cdk', [grantFor('2fa', ['DB_PASS'], false)]), {keyed: false})
    expect(Object.keys(parseCdk(text))).toEqual(['_2faProdSecretStatements'])
  })
})

describe('every format', () => {
  it.each(POLICY_FORMATS.filter((format) => format !== 'json'))('refuses two functions that would share an identifier in %s', (format) => {
    const clash = policiesFor(format, [grantFor('check-out', ['DB_PASS']), grantFor('check_out', ['DB_PASS'])])
    // Terraform labels keep "-" and "_" apart; CloudFormation and SAM logical IDs and TypeScript names cannot.
    if (format === 'serverless' || format === 'terraform') {
      expect(() => renderPolicies(format, clash, {keyed: true})).not.toThrow()
    } else {
      expect(() => renderPolicies(format, clash, {keyed: true})).toThrow(expect.objectContaining({exitCode: 2}))
    }
  })

  it.each(POLICY_FORMATS)('ends %s with exactly one newline', (format) => {
    const text = renderPolicies(format, policiesFor(format), {keyed: true})
    expect(text.endsWith('\n')).toBe(true)
    expect(text.endsWith('\n\n')).toBe(false)
  })
})

describe('identifiers of a function whose name says its environment already', () => {
  // `billing-invoicer-prod` in prod: the environment is not doubled in Sids, labels and names.
  const grants = [grantFor('billing-invoicer-prod', ['DB_PASS'], false), grantFor('billing-reports', ['DB_PASS'], false)]

  it('Sids, Terraform labels, CDK names and CloudFormation logical IDs name the environment once', async () => {
    const json = JSON.parse(renderPolicies('json', policiesFor('json', grants), {keyed: true}))
    expect(json['billing-invoicer-prod'].Statement[0].Sid).toBe('BillingInvoicerProdReadSecrets')
    expect(json['billing-reports'].Statement[0].Sid).toBe('BillingReportsProdReadSecrets')
    expect(Object.keys(await parseTerraform(renderPolicies('terraform', policiesFor('terraform', grants), {keyed: true})))).toEqual(['billing-invoicer-prod_secrets', 'billing-reports_prod_secrets'])
    expect(Object.keys(parseCdk(renderPolicies('cdk', policiesFor('cdk', grants), {keyed: true})))).toEqual(['billingInvoicerProdSecretStatements', 'billingReportsProdSecretStatements'])
    const cfn = parseCfnYaml(renderPolicies('cloudformation', policiesFor('cloudformation', grants), {keyed: true})) as {Resources: Record<string, unknown>}
    expect(Object.keys(cfn.Resources)).toEqual(['BillingInvoicerProdSecretsPolicy', 'BillingReportsProdSecretsPolicy'])
  })

  it('only a whole word of the name counts: "products" in prod still gets the environment', () => {
    const json = JSON.parse(renderPolicies('json', policiesFor('json', [grantFor('products', ['DB_PASS'], false)]), {keyed: false}))
    expect(json.Statement[0].Sid).toBe('ProductsProdReadSecrets')
  })
})
