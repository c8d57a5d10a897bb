import {describe, expect, it} from 'vitest'

import {
  ecsTaskDefinitionFix,
  guessScopeFromWorkload,
  iamGrantFix,
  lambdaFunctionFix,
  narrowedRoleFix,
  roleNameOfArn,
  type RoleUser,
  roleUsersFix,
  secretNameFor,
  ssmParameterFix,
} from '../../../src/core/audit/fixes.js'
import {inspectIam} from '../../../src/core/audit/inspect-iam.js'
import {arnContext, environmentTargets} from '../../../src/core/audit/workload-targets.js'

describe('fix commands', () => {
  it.each([
    ['prod-checkout', {env: 'prod', service: 'checkout'}],
    ['checkout_staging', {env: 'staging', service: 'checkout'}],
    ['billing-worker-dev', {env: 'dev', service: 'billing-worker'}],
    ['checkout', {env: 'ENV', service: 'checkout'}],
    ['prod', {env: 'prod', service: 'SERVICE'}],
  ])('reads the scope of %s', (name, scope) => {
    expect(guessScopeFromWorkload(name)).toEqual(scope)
  })

  it.each([
    ['/prod/billing/DB_PASSWORD', 'secrets migrate --from-ssm /prod/billing --to prod/billing --only DB_PASSWORD --delete-source'],
    ['/prod/billing/db/PASSWORD', 'secrets migrate --from-ssm /prod/billing/db --to prod/billing --only PASSWORD --delete-source'],
    ['/prod/DB_PASSWORD', 'secrets migrate --from-ssm /prod --to prod/SERVICE --only DB_PASSWORD (fill in SERVICE; add --delete-source once the secret is where it belongs)'],
    ['db-password', 'secrets migrate --from-ssm / --to ENV/SERVICE --only db-password (fill in ENV and SERVICE; add --delete-source once the secret is where it belongs)'],
  ])('migrates parameter %s, and only it', (name, fix) => {
    expect(ssmParameterFix(name)).toBe(fix)
  })

  it.each([
    ['DB_PASSWORD', 'DB_PASSWORD'],
    ['db-password', 'db-password'],
    ['webhook-secret', 'NAME'],
    ['MY KEY', 'NAME'],
  ])('names the secret of %s %s, never a name the CLI would refuse', (variable, name) => {
    expect(secretNameFor(variable)).toBe(name)
  })

  it("migrates a Lambda function's secrets at once and grants all of them in one command", () => {
    expect(lambdaFunctionFix('prod-checkout', ['STRIPE_KEY', 'DB_PASSWORD'])).toBe(
      'secrets migrate --from-lambda prod-checkout --to prod/checkout && secrets grant prod/checkout --function prod-checkout --secret DB_PASSWORD --secret STRIPE_KEY --runtime nodejs  # then remove DB_PASSWORD, STRIPE_KEY from prod-checkout\'s environment (python: --runtime python)',
    )
    expect(lambdaFunctionFix('checkout', ['DB_PASSWORD'])).toBe(
      'secrets migrate --from-lambda checkout --to ENV/checkout && secrets grant ENV/checkout --function checkout --secret DB_PASSWORD --runtime nodejs (fill in ENV)  # then remove DB_PASSWORD from checkout\'s environment (python: --runtime python)',
    )
  })

  it.each([
    ['python3.12', ' --runtime python'],
    ['nodejs20.x', ' --runtime nodejs'],
  ])("grants a %s function's secrets with the handler of its own runtime, and says nothing more of it", (runtime, flag) => {
    expect(lambdaFunctionFix('billing-prod', ['DB_PASSWORD'], runtime)).toBe(
      `secrets migrate --from-lambda billing-prod --to prod/billing && secrets grant prod/billing --function billing-prod --secret DB_PASSWORD${flag}  # then remove DB_PASSWORD from billing-prod's environment`,
    )
  })

  it.each(['java21', 'go1.x', 'dotnet8', 'ruby3.3', 'provided.al2023'])('prints no --runtime for a %s function, and says the handlers cover Node.js and Python', (runtime) => {
    const fix = lambdaFunctionFix('billing-prod', ['DB_PASSWORD'], runtime)
    expect(fix).toContain('secrets grant prod/billing --function billing-prod --secret DB_PASSWORD  # then remove DB_PASSWORD')
    expect(fix).not.toContain('--runtime')
    expect(fix).toContain(`(no handler is printed for ${runtime}: the handlers cover Node.js and Python;`)
  })

  it("migrates every container's secrets of a task definition family at once, one grant for its task role (a name in two containers once), and says what valueFrom leaves", () => {
    expect(ecsTaskDefinitionFix('web-prod', ['DB_PASSWORD', 'API_TOKEN', 'DB_PASSWORD'])).toBe(
      'secrets migrate --from-ecs web-prod --to prod/web && secrets grant prod/web --task web-prod --secret API_TOKEN --secret DB_PASSWORD --runtime nodejs  # then remove API_TOKEN, DB_PASSWORD from web-prod\'s container environment and read them at run time with the module the grant prints (python: --runtime python); moving them to the container\'s secrets (valueFrom) instead is the lesser step: ECS then sets each value as an environment variable of the container, visible to anything that can read the process environment',
    )
  })

  it('gives one grant per environment and service', () => {
    const services = new Map([
      ['staging', new Set(['api'])],
      ['prod', new Set(['api', 'billing'])],
    ])
    expect(iamGrantFix('app-role', services, true)).toBe(
      'give each environment its own role with: secrets grant prod/api --function app-role --secret NAME; secrets grant prod/billing --function app-role --secret NAME; secrets grant staging/api --function app-role --secret NAME',
    )
    expect(iamGrantFix('app-role', new Map(), false)).toBe('replace the statement with: secrets grant ENV/app-role --function app-role --secret NAME')
    expect(iamGrantFix('billing-prod', new Map(), false)).toBe('replace the statement with: secrets grant prod/billing --function billing-prod --secret NAME')
    expect(iamGrantFix('ops-prod', new Map([['prod', new Set<string>()]]), false)).toBe('replace the statement with: secrets grant prod/ops --function ops-prod --secret NAME')
  })

  it('gives a role used by workloads one grant per workload, naming them, in the environment its policy names', () => {
    const users = [
      {kind: 'lambda' as const, name: 'orders-api', secrets: ['DB_PASSWORD', 'API_KEY']},
      {kind: 'ecs' as const, name: 'orders-worker', secrets: []},
    ]
    expect(roleUsersFix('orders-role', new Map([['prod', new Set<string>()]]), users, false)).toBe(
      'replace the statement (orders-role is used by function orders-api, task definition orders-worker) with: secrets grant prod/orders-api --function orders-api --secret API_KEY --secret DB_PASSWORD; secrets grant prod/orders-worker --function orders-worker --secret NAME (fill in NAME)',
    )
    // The policy names no environment (`*`): each workload's own name gives it, or a placeholder says so.
    const arrival: RoleUser[] = [
      {kind: 'ecs', name: 'b-worker', secrets: []},
      {kind: 'lambda', name: 'a-api', secrets: []},
    ]
    expect(roleUsersFix('r', new Map(), arrival, false)).toBe(roleUsersFix('r', new Map(), [...arrival].reverse(), false))
    expect(roleUsersFix('r', new Map(), arrival, false)).toMatch(/^replace the statement \(r is used by function a-api, task definition b-worker\)/)
    expect(roleUsersFix('r', new Map(), [{kind: 'lambda', name: 'billing-prod', secrets: ['TOKEN']}], false)).toBe(
      'replace the statement (r is used by function billing-prod) with: secrets grant prod/billing --function billing-prod --secret TOKEN',
    )
    expect(roleUsersFix('r', new Map(), [{kind: 'lambda', name: 'billing', secrets: ['TOKEN']}], false)).toMatch(/secrets grant ENV\/billing .* \(fill in ENV\)$/)
    expect(roleNameOfArn('arn:aws:iam::123456789012:role/service-role/billing')).toBe('billing')
  })
})

const DB_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/orders/db-AbCdEf'
const FUNCTION_ARN = 'arn:aws:lambda:us-east-1:123456789012:function:orders-api'

/** A function running as the role whose environment names `variables`. */
const user = (name: string, variables: Record<string, string>, kind: RoleUser['kind'] = 'lambda'): RoleUser => ({
  kind,
  name,
  secrets: [],
  targets: environmentTargets(variables, arnContext(FUNCTION_ARN), `function ${name}`),
})

describe("the secrets a live workload's environment names", () => {
  it.each([
    ['DB_SECRET_ARN', DB_ARN, {store: 'secretsmanager', resource: DB_ARN}],
    ['DB', 'arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/orders/db', {store: 'secretsmanager', resource: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/orders/db-??????'}],
    ['DB_PASS_SECRET_ID', '/prod/orders/DB_PASS', {store: 'secretsmanager', resource: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:/prod/orders/DB_PASS-??????'}],
    ['API_SECRET_NAME', 'orders-api-key', {store: 'secretsmanager', resource: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:orders-api-key-??????'}],
    ['CONFIG', 'arn:aws:ssm:us-east-1:123456789012:parameter/prod/orders/config', {store: 'ssm', resource: 'arn:aws:ssm:us-east-1:123456789012:parameter/prod/orders/config'}],
    ['TOKEN_PARAMETER_NAME', '/prod/orders/token', {store: 'ssm', resource: 'arn:aws:ssm:us-east-1:123456789012:parameter/prod/orders/token'}],
  ])('reads %s=%s as a target', (variable, value, target) => {
    expect(environmentTargets({[variable]: value}, arnContext(FUNCTION_ARN), 'function orders-api')).toEqual([{...target, label: `${variable} of function orders-api`}])
  })

  it.each([
    ['LOG_LEVEL', 'info'],
    ['QUEUE_ARN', 'arn:aws:sqs:us-east-1:123456789012:orders'],
    ['CONFIG_PREFIX', '/prod/orders/'],
    ['DB_SECRET_ID', 'not a name'],
  ])('reads %s=%s as no target', (variable, value) => {
    expect(environmentTargets({[variable]: value}, arnContext(FUNCTION_ARN), 'function orders-api')).toEqual([])
  })
})

describe("audit's narrowed fix of a role's policy", () => {
  const mixed = [
    {Effect: 'Allow', Action: ['logs:*', 'secretsmanager:GetSecretValue'], Resource: '*'},
    {Effect: 'Allow', Action: 'ec2:DescribeNetworkInterfaces', Resource: '*'},
  ]

  it('keeps every other action and statement and moves the reads to the secrets the functions name', () => {
    const narrowed = narrowedRoleFix({kind: 'inline', role: 'orders-role', policyName: 'app'}, mixed, [user('orders-api', {DB_SECRET_ARN: DB_ARN, LOG_LEVEL: 'info'})])
    if ('refused' in narrowed) throw new Error(narrowed.refused)
    expect(narrowed.policyFix.document).toEqual({
      Version: '2012-10-17',
      Statement: [
        {Effect: 'Allow', Action: ['logs:*'], Resource: '*'},
        {Effect: 'Allow', Action: ['secretsmanager:GetSecretValue'], Resource: [DB_ARN]},
        {Effect: 'Allow', Action: 'ec2:DescribeNetworkInterfaces', Resource: '*'},
      ],
    })
    expect(narrowed.policyFix).toMatchObject({action: 'put-role-policy', role: 'orders-role', policyName: 'app', kept: ['logs:*'], fenced: false})
    expect(narrowed.fix).toBe(
      `narrow the secret reads to what function orders-api names (DB_SECRET_ARN of function orders-api), keeping every other statement and logs:*: aws iam put-role-policy --role-name orders-role --policy-name app --policy-document '${JSON.stringify(narrowed.policyFix.document)}'`,
    )
  })

  it('keeps secretsmanager:* as written and fences it with a Deny on every other secret', () => {
    const narrowed = narrowedRoleFix({kind: 'inline', role: 'r', policyName: 'p'}, [{Effect: 'Allow', Action: 'secretsmanager:*', Resource: '*'}], [user('orders-api', {DB_SECRET_ARN: DB_ARN})])
    if ('refused' in narrowed) throw new Error(narrowed.refused)
    expect(narrowed.policyFix.document.Statement).toEqual([
      {Effect: 'Allow', Action: 'secretsmanager:*', Resource: '*'},
      {Sid: 'OnlyItsOwnSecrets', Effect: 'Deny', Action: ['secretsmanager:GetSecretValue'], NotResource: [DB_ARN]},
    ])
    expect(narrowed.fix).toMatch(/ and secretsmanager:\* \(a wildcard that also reads secrets is kept as written, fenced by a Deny\): aws iam put-role-policy /)
  })

  it('replaces a customer managed policy with a new default version', () => {
    const arn = 'arn:aws:iam::123456789012:policy/orders'
    const narrowed = narrowedRoleFix({kind: 'customer-managed', role: 'r', policyArn: arn}, mixed, [user('orders-api', {DB_SECRET_ARN: DB_ARN})])
    if ('refused' in narrowed) throw new Error(narrowed.refused)
    expect(narrowed.policyFix).toMatchObject({action: 'create-policy-version', policyArn: arn})
    expect(narrowed.policyFix.command).toBe(`aws iam create-policy-version --policy-arn ${arn} --policy-document '${JSON.stringify(narrowed.policyFix.document)}' --set-as-default`)
  })

  it('puts a Deny beside an AWS managed policy, which cannot be edited', () => {
    const managed = [{Effect: 'Allow', Action: ['ssm:Describe*', 'ssm:Get*', 'ssm:List*'], Resource: '*'}]
    const narrowed = narrowedRoleFix({kind: 'aws-managed', role: 'r', policyName: 'AmazonSSMReadOnlyAccess'}, managed, [user('orders-api', {TOKEN_PARAMETER_NAME: '/prod/orders/token'})])
    if ('refused' in narrowed) throw new Error(narrowed.refused)
    expect(narrowed.policyFix).toMatchObject({action: 'put-role-policy', policyName: 'OnlyItsOwnSecrets-AmazonSSMReadOnlyAccess'})
    expect(narrowed.policyFix.document.Statement).toEqual([
      {
        Sid: 'OnlyItsOwnParameters',
        Effect: 'Deny',
        Action: ['ssm:GetParameter', 'ssm:GetParameters', 'ssm:GetParametersByPath', 'ssm:GetParameterHistory'],
        NotResource: ['arn:aws:ssm:us-east-1:123456789012:parameter/prod/orders/token'],
      },
    ])
  })

  it('never grants a secret the policy did not already allow', () => {
    const prodOnly = [{Effect: 'Allow', Action: ['logs:CreateLogStream', 'secretsmanager:GetSecretValue'], Resource: ['arn:aws:secretsmanager:*:*:secret:prod/*']}]
    const other = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:staging/orders/db-XyZ123'
    const narrowed = narrowedRoleFix({kind: 'inline', role: 'r', policyName: 'p'}, prodOnly, [user('orders-api', {DB_SECRET_ARN: DB_ARN, OLD_SECRET_ARN: other})])
    if ('refused' in narrowed) throw new Error(narrowed.refused)
    expect(JSON.stringify(narrowed.policyFix.document)).not.toContain('staging')
    expect(narrowed.policyFix.targets.map((target) => target.resource)).toEqual([DB_ARN])
  })

  it('refuses where an event source may read a broker secret with the role, which no environment names', () => {
    const broker = [{Effect: 'Allow', Action: ['mq:DescribeBroker', 'ec2:CreateNetworkInterface', 'secretsmanager:GetSecretValue'], Resource: '*'}]
    expect(narrowedRoleFix({kind: 'inline', role: 'r', policyName: 'p'}, broker, [user('orders-api', {DB_SECRET_ARN: DB_ARN})])).toEqual({
      refused: "it also allows mq:DescribeBroker: an event source (Amazon MQ, Kafka) may read its broker's secret with this role, which no environment names; narrow it by hand, keeping that secret",
    })
  })

  it('refuses, with the reason, where the functions name no secret or no function runs as the role', () => {
    expect(narrowedRoleFix({kind: 'inline', role: 'r', policyName: 'p'}, mixed, [user('orders-api', {LOG_LEVEL: 'info'})])).toEqual({
      refused: "nothing in the environment of function orders-api names the secrets r reads (a secret's ARN, or its name in a *_SECRET_ARN, *_SECRET_ID or *_SECRET_NAME variable)",
    })
    const scoped = [{Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: ['arn:aws:secretsmanager:*:*:secret:/prod/api/*', 'arn:aws:secretsmanager:*:*:secret:/staging/api/*']}]
    expect(narrowedRoleFix({kind: 'inline', role: 'r', policyName: 'p'}, scoped, [user('orders-api', {DB_SECRET_ARN: DB_ARN})])).toEqual({refused: 'each of its secret reads is scoped to a service or a name already'})
    expect(narrowedRoleFix({kind: 'inline', role: 'r', policyName: 'p'}, mixed, [])).toEqual({
      refused: 'no Lambda function or ECS task definition read by the audit runs as r, so nothing names the secrets it reads',
    })
  })

  it("is the fix of a role's inline policy finding, and the grant advice with its reason where nothing names the secrets", () => {
    const document = encodeURIComponent(JSON.stringify({Version: '2012-10-17', Statement: mixed}))
    const roles = [
      {name: 'orders-role', inlinePolicies: [{name: 'app', document}], attachedPolicyArns: []},
      {name: 'cron-role', inlinePolicies: [{name: 'app', document}], attachedPolicyArns: []},
    ]
    const roleUsers = new Map([
      ['orders-role', [user('orders-api', {DB_SECRET_ARN: DB_ARN})]],
      ['cron-role', [user('orders-cron', {LOG_LEVEL: 'info'})]],
    ])
    const {findings} = inspectIam({managedPolicies: [], roles, users: [], roleUsers})
    const orders = findings.find((item) => item.resource === 'orders-role')
    expect(orders?.fix).toMatch(/^narrow the secret reads to what function orders-api names .*: aws iam put-role-policy --role-name orders-role --policy-name app /)
    expect(orders?.policyFix?.document.Statement).toContainEqual({Effect: 'Allow', Action: ['secretsmanager:GetSecretValue'], Resource: [DB_ARN]})
    const cron = findings.find((item) => item.resource === 'cron-role')
    expect(cron?.fix).toMatch(/^nothing in the environment of function orders-cron names the secrets cron-role reads \(.*\); replace the statement \(cron-role is used by function orders-cron\) with: secrets grant /)
    expect(cron?.policyFix).toBeUndefined()
  })

  it('judges an AWS managed policy as fenced once the Deny its fix writes is beside it', () => {
    const managed = 'arn:aws:iam::aws:policy/AmazonSSMReadOnlyAccess'
    const roleUsers = new Map([['orders-role', [user('orders-api', {TOKEN_PARAMETER_NAME: '/prod/orders/token'})]]])
    const before = inspectIam({managedPolicies: [], roles: [{name: 'orders-role', inlinePolicies: [], attachedPolicyArns: [managed]}], users: [], roleUsers})
    expect(before.findings).toHaveLength(1)
    const fix = before.findings[0].policyFix
    expect(fix?.command).toMatch(/^aws iam put-role-policy --role-name orders-role --policy-name OnlyItsOwnSecrets-AmazonSSMReadOnlyAccess /)
    const applied = {name: fix!.policyName!, document: JSON.stringify(fix!.document)}
    const after = inspectIam({managedPolicies: [], roles: [{name: 'orders-role', inlinePolicies: [applied], attachedPolicyArns: [managed]}], users: [], roleUsers})
    expect(after.findings).toEqual([])
  })

  it('narrows a customer managed policy only where one role holds it alone', () => {
    const arn = 'arn:aws:iam::123456789012:policy/app'
    const document = encodeURIComponent(JSON.stringify({Version: '2012-10-17', Statement: mixed}))
    const roleUsers = new Map([['orders-role', [user('orders-api', {DB_SECRET_ARN: DB_ARN})]]])
    const alone = inspectIam({managedPolicies: [{name: 'app', arn, document, attachedTo: ['orders-role']}], roles: [{name: 'orders-role', inlinePolicies: [], attachedPolicyArns: [arn]}], users: [], roleUsers})
    expect(alone.findings[0].policyFix?.action).toBe('create-policy-version')
    const shared = inspectIam({
      managedPolicies: [{name: 'app', arn, document, attachedTo: ['cron-role', 'orders-role']}],
      roles: [
        {name: 'orders-role', inlinePolicies: [], attachedPolicyArns: [arn]},
        {name: 'cron-role', inlinePolicies: [], attachedPolicyArns: [arn]},
      ],
      users: [],
      roleUsers,
    })
    expect(shared.findings[0].policyFix).toBeUndefined()
  })
})
