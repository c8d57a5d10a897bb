import {mkdirSync, mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {beforeAll, describe, expect, it} from 'vitest'

import type {PolicyDocument} from '../../src/core/iam-policy.js'
import {emulatorEndpoint, runCli, uniqueEnv} from '../helpers/cli.js'
import {evaluate, secretArn} from '../fixtures/grant-evaluator.js'
import {cfnLint, cfnTemplateFromBlock, parseCfnYaml, parseSamYaml, parseTerraform, samTemplateOfOne} from '../fixtures/grant-parsers.js'

const GET = 'secretsmanager:GetSecretValue'
/** The emulator's answer to STS GetCallerIdentity, and the region cliEnv sets. */
const EMULATOR_ACCOUNT = '123456789012'
const EMULATOR_REGION = 'us-east-1'
/** The bundle announces each AWS SDK client package on DEBUG=secrets:aws as it initialises. */
const SDK_TRACE = {DEBUG: 'secrets:aws'}
const SDK_LOADED = /secrets:aws loading @aws-sdk\//
/** Nothing listens there: any AWS call fails fast. */
const DEAD_ENDPOINT = {AWS_ENDPOINT_URL: 'http://127.0.0.1:9', AWS_MAX_ATTEMPTS: '1'}

const env = uniqueEnv('grant')

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'grant-cmd-'))
}

describe('secrets grant ENV/SERVICE --function', () => {
  it('prints exactly the JSON policy on stdout, with the account from STS and the region from the config', async () => {
    const result = await runCli(['grant', `${env}/api`, '--function', 'checkout', '--secret', 'DB_PASS', '--secret', 'STRIPE_KEY'])
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    const policy = JSON.parse(result.stdout) as PolicyDocument
    expect(result.stdout).toBe(`${JSON.stringify(policy, null, 2)}\n`)
    expect(policy.Statement[0].Resource).toEqual([
      `arn:aws:secretsmanager:${EMULATOR_REGION}:${EMULATOR_ACCOUNT}:secret:/${env}/api/DB_PASS-??????`,
      `arn:aws:secretsmanager:${EMULATOR_REGION}:${EMULATOR_ACCOUNT}:secret:/${env}/api/STRIPE_KEY-??????`,
    ])
    const at = {region: EMULATOR_REGION}
    expect(await evaluate(policy, GET, secretArn(`/${env}/api/DB_PASS`, at))).toBe('Allowed')
    expect(await evaluate(policy, GET, secretArn(`/${env}/api/STRIPE_KEY`, at))).toBe('Allowed')
    expect(await evaluate(policy, GET, secretArn(`/${env}/api/DB_PASS_OLD`, at))).toBe('ImplicitlyDenied')
    expect(await evaluate(policy, GET, secretArn(`/${env}/api2/DB_PASS`, at))).toBe('ImplicitlyDenied')
    expect(await evaluate(policy, GET, secretArn(`/other/api/DB_PASS`, at))).toBe('ImplicitlyDenied')
    expect(await evaluate(policy, 'secretsmanager:DeleteSecret', secretArn(`/${env}/api/DB_PASS`, at))).toBe('ImplicitlyDenied')
  })

  it('uses --account and --region (partition derived: aws-cn) without loading the AWS SDK', async () => {
    const result = await runCli(
      ['grant', 'prod/api', '--function', 'checkout', '--secret', 'DB_PASS', '--account', '210987654321', '--region', 'cn-north-1'],
      {env: {...DEAD_ENDPOINT, ...SDK_TRACE}},
    )
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    expect(JSON.parse(result.stdout).Statement[0].Resource).toEqual([
      'arn:aws-cn:secretsmanager:cn-north-1:210987654321:secret:/prod/api/DB_PASS-??????',
    ])
  })

  it('reads the region from the profile in the AWS config file, without a network call', async () => {
    const config = join(tempDir(), 'config')
    writeFileSync(config, '[profile deploy]\nregion = eu-central-1\n')
    const result = await runCli(['grant', 'prod/api', '--function', 'checkout', '--account', '210987654321', '--profile', 'deploy'], {
      env: {...DEAD_ENDPOINT, AWS_REGION: undefined, AWS_CONFIG_FILE: config},
    })
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    expect(JSON.parse(result.stdout).Statement[0].Resource).toEqual(['arn:aws:secretsmanager:eu-central-1:210987654321:secret:/prod/api/*'])
  })

  it('exits 2 naming --region when no region is configured anywhere', async () => {
    const result = await runCli(['grant', 'prod/api', '--function', 'checkout', '--account', '210987654321'], {
      env: {...DEAD_ENDPOINT, AWS_REGION: undefined},
    })
    expect(result.code).toBe(2)
    expect(result.stdout).toBe('')
    expect(result.stderr).toMatch(/No AWS region is configured/)
    expect(result.stderr).toMatch(/--region/)
  })

  it('the trace shows an SDK load when the account must come from STS (so the tests above prove something)', async () => {
    const result = await runCli(['grant', 'prod/api', '--function', 'checkout', '--region', 'eu-west-1'], {
      env: {...SDK_TRACE},
    })
    expect(result.code).toBe(0)
    expect(result.stderr).toMatch(/secrets:aws loading @aws-sdk\/client-sts/)
  })

  it.each(['cloudformation', 'sam'])('leaves account, region and partition to CloudFormation in %s, without the SDK', async (format) => {
    const result = await runCli(['grant', 'prod/api', '--function', 'checkout', '--secret', 'DB_PASS', '--format', format], {
      env: {...DEAD_ENDPOINT, AWS_REGION: undefined, ...SDK_TRACE},
    })
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('!Sub arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:/prod/api/DB_PASS-??????')
  })

  it('keeps an explicit --account in CloudFormation and leaves the rest to pseudo-parameters', async () => {
    const result = await runCli(['grant', 'prod/api', '--function', 'checkout', '--format', 'cloudformation', '--account', '210987654321'])
    expect(result.code).toBe(0)
    const parsed = parseCfnYaml(result.stdout) as {Resources: Record<string, {Properties: {PolicyDocument: {Statement: {Resource: unknown[]}[]}}}>}
    expect(parsed.Resources.CheckoutProdSecretsPolicy.Properties.PolicyDocument.Statement[0].Resource).toEqual([
      {'Fn::Sub': 'arn:${AWS::Partition}:secretsmanager:${AWS::Region}:210987654321:secret:/prod/api/*'},
    ])
  })

  it('prints Terraform that parses, with the same resources as the JSON', async () => {
    const args = ['grant', 'prod/api', '--function', 'checkout', '--secret', 'DB_PASS', '--describe', '--kms-key-arn', 'arn:aws:kms:us-east-1:123456789012:key/abcd-1234']
    const [json, terraform] = await Promise.all([runCli(args), runCli([...args, '--format', 'terraform'])])
    expect(terraform.code).toBe(0)
    const parsed = await parseTerraform(terraform.stdout)
    expect(parsed.checkout_prod_secrets).toEqual((JSON.parse(json.stdout) as PolicyDocument).Statement)
  })

  it('wraps the output with metadata under --json', async () => {
    const result = await runCli(['grant', 'prod/api', '--function', 'checkout', '--secret', 'DB_PASS', '--format', 'terraform', '--json'])
    expect(result.code).toBe(0)
    const wrapped = JSON.parse(result.stdout)
    expect(wrapped).toMatchObject({
      format: 'terraform',
      environment: 'prod',
      service: 'api',
      account: EMULATOR_ACCOUNT,
      region: EMULATOR_REGION,
      partition: 'aws',
      functions: [{function: 'checkout', secrets: ['/prod/api/DB_PASS']}],
    })
    expect(wrapped.output).toMatch(/^# checkout \(prod\)[\s\S]*data "aws_iam_policy_document" "checkout_prod_secrets"/)
    expect(wrapped.functions[0].policy.Statement[0].Action).toEqual([GET])
  })

  it('exits 6 naming STS when the account cannot be looked up', async () => {
    const result = await runCli(['grant', 'prod/api', '--function', 'checkout'], {env: DEAD_ENDPOINT})
    expect(result.code).toBe(6)
    expect(result.stdout).toBe('')
    expect(result.stderr).toMatch(/sts:GetCallerIdentity/)
    expect(result.stderr).toMatch(/--account/)
  })

  it.each([
    ['an invalid scope', ['grant', 'prod', '--function', 'f'], /expected ENV\/SERVICE/],
    ['an invalid environment', ['grant', 'pr od/api', '--function', 'f'], /environment "pr od" contains a space/],
    ['an invalid service', ['grant', 'prod/a*i', '--function', 'f'], /service "a\*i" contains "\*"/],
    ['an invalid secret name', ['grant', 'prod/api', '--function', 'f', '--secret', 'DB PASS'], /name "DB PASS" contains a space/],
    ['a name like the ARN suffix', ['grant', 'prod/api', '--function', 'f', '--secret', 'DB_PASS-abcdef'], /hyphen and six characters/],
    ['a full name as --secret', ['grant', 'prod/api', '--function', 'f', '--secret', '/prod/api/DB_PASS'], /contains a "\/"/],
    ['a missing --function', ['grant', 'prod/api', '--secret', 'DB_PASS'], /Missing --function/],
    ['an invalid function', ['grant', 'prod/api', '--function', 'fn:live'], /Invalid --function/],
    ['an invalid account', ['grant', 'prod/api', '--function', 'f', '--account', '1234'], /12 digits/],
    ['an invalid region', ['grant', 'prod/api', '--function', 'f', '--region', 'Europe'], /Invalid region "Europe"/],
    ['an invalid partition', ['grant', 'prod/api', '--function', 'f', '--partition', 'gcp'], /Invalid --partition/],
    ['a KMS alias', ['grant', 'prod/api', '--function', 'f', '--kms-key-arn', 'alias/app'], /Invalid --kms-key-arn/],
    ['an unknown format', ['grant', 'prod/api', '--function', 'f', '--format', 'pulumi'], /--format/],
    ['a scope together with --env', ['grant', 'prod/api', '--function', 'f', '--env', 'prod'], /either ENV\/SERVICE or --manifest/],
    ['nothing to grant', ['grant'], /Missing ENV\/SERVICE/],
    ['--runtime for a secret by ARN', ['grant', 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!cluster-0f1e2d3c-AbC123', '--function', 'f', '--runtime', 'nodejs'], /--runtime, --max-age, --via and --template are for secrets in the/],
    ['a field with no name', ['grant', 'prod/api', '--function', 'f', '--secret', 'DB:', '--runtime', 'nodejs'], /after NAME: comes the name of one field/],
  ])('refuses %s with exit 2 before any AWS call', async (_label, args, message) => {
    const result = await runCli(args, {env: {...DEAD_ENDPOINT, ...SDK_TRACE}})
    expect(result.code).toBe(2)
    expect(result.stdout).toBe('')
    expect(result.stderr).toMatch(message)
    expect(result.stderr).not.toMatch(SDK_LOADED)
  })
})

describe('secrets grant ENV/SERVICE --task', () => {
  it('prints the task role\'s policy: an aws_iam_role_policy on the task definition\'s task role', async () => {
    const result = await runCli(['grant', 'prod/web', '--task', 'web-prod', '--secret', 'DB_PASS', '--format', 'terraform', '--account', '123456789012', '--region', 'eu-west-1'], {env: {...DEAD_ENDPOINT}})
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    expect(await parseTerraform(result.stdout)).toEqual({
      'web-prod_secrets': [{Sid: 'WebProdReadSecrets', Effect: 'Allow', Action: [GET], Resource: ['arn:aws:secretsmanager:eu-west-1:123456789012:secret:/prod/web/DB_PASS-??????']}],
    })
    expect(result.stdout).toMatch(/resource "aws_iam_role_policy" "web-prod_secrets" \{\n {2}name {3}= "web-prod-secrets"\n {2}role {3}= aws_iam_role\.web-prod_task\.id/)
  })

  it('grants a secret outside the scheme, by its ARN, to a task role', async () => {
    const arn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!cluster-0f1e2d3c-AbC123'
    const result = await runCli(['grant', arn, '--task', 'orders', '--format', 'cloudformation'], {env: {...DEAD_ENDPOINT}})
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('RoleName: !Ref OrdersTaskRole')
    expect(result.stdout).toContain(arn)
  })

  it.each([
    ['--task with --function', ['grant', 'prod/web', '--task', 'web', '--function', 'web'], /--function and --task cannot be used together|cannot also be provided/],
    ['an invalid family', ['grant', 'prod/web', '--task', 'web:1'], /Invalid --task/],
    ['a format with no task role', ['grant', 'prod/web', '--task', 'web', '--format', 'serverless'], /no place for an ECS task role/],
    ['the Lambda extension for a task', ['grant', 'prod/web', '--task', 'web', '--secret', 'DB_PASS', '--runtime', 'nodejs', '--via', 'extension', '--account', '123456789012', '--region', 'eu-west-1'], /Lambda layer/],
  ])('refuses %s with exit 2', async (_label, args, message) => {
    const result = await runCli(args, {env: {...DEAD_ENDPOINT}})
    expect(result.code).toBe(2)
    expect(result.stdout).toBe('')
    expect(result.stderr).toMatch(message)
  })
})

describe('secrets grant --manifest --env with tasks:', () => {
  const manifest = 'service: web\nfunctions:\n  resize: [BUCKET_KEY]\ntasks:\n  web-prod: [DB_PASS]\n  jobs-prod: [DB_PASS, QUEUE_TOKEN]\n'
  const at = ['--account', '123456789012', '--region', 'eu-west-1']

  it('grants a declared task family on its task role with --task', async () => {
    const file = join(tempDir(), 'secrets.yml')
    writeFileSync(file, manifest)
    const result = await runCli(['grant', '--manifest', file, '--env', 'prod', '--task', 'jobs-prod', '--format', 'terraform', ...at], {env: {...DEAD_ENDPOINT}})
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    expect(await parseTerraform(result.stdout)).toEqual({
      'jobs-prod_secrets': [
        {
          Sid: 'JobsProdReadSecrets',
          Effect: 'Allow',
          Action: [GET],
          Resource: ['arn:aws:secretsmanager:eu-west-1:123456789012:secret:/prod/web/DB_PASS-??????', 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:/prod/web/QUEUE_TOKEN-??????'],
        },
      ],
    })
    expect(result.stdout).toContain('role   = aws_iam_role.jobs-prod_task.id')
  })

  it('grants the functions by default and names the tasks it left for --task', async () => {
    const file = join(tempDir(), 'secrets.yml')
    writeFileSync(file, manifest)
    const result = await runCli(['grant', '--manifest', file, '--env', 'prod', ...at], {env: {...DEAD_ENDPOINT}})
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('resize')
    expect(result.stdout).not.toContain('web-prod')
    expect(result.stderr).toContain('The manifest also declares 2 ECS tasks (web-prod, jobs-prod): grant each with --task FAMILY.')
  })

  it('grants the tasks of a manifest that declares only tasks', async () => {
    const file = join(tempDir(), 'secrets.yml')
    writeFileSync(file, 'service: web\ntasks:\n  web-prod: [DB_PASS]\n')
    const result = await runCli(['grant', '--manifest', file, '--env', 'prod', '--format', 'cloudformation', ...at], {env: {...DEAD_ENDPOINT}})
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('RoleName: !Ref WebProdTaskRole')
  })

  it.each([
    ['a task it does not declare', ['--task', 'nope'], /declares no task "nope"/],
    ['a format with no task role', ['--task', 'web-prod', '--format', 'serverless'], /no place for an ECS task role/],
  ])('refuses %s with exit 2', async (_label, args, message) => {
    const file = join(tempDir(), 'secrets.yml')
    writeFileSync(file, manifest)
    const result = await runCli(['grant', '--manifest', file, '--env', 'prod', ...args], {env: {...DEAD_ENDPOINT}})
    expect(result.code).toBe(2)
    expect(result.stdout).toBe('')
    expect(result.stderr).toMatch(message)
  })
})

describe('secrets grant --manifest --env', () => {
  const dir = tempDir()
  const manifest = 'service: api\nfunctions:\n  checkout: [DB_PASS, STRIPE_KEY]\n  worker:   [DB_PASS]\n'

  beforeAll(async () => {
    writeFileSync(join(dir, 'secrets.yml'), manifest)
    for (const name of ['DB_PASS', 'STRIPE_KEY']) {
      const set = await runCli(['set', `${env}/api`, name], {input: `value of ${name}\n`})
      expect(set.code).toBe(0)
    }
  })

  it('prints one scoped policy per declared function, from secrets.yml in the working directory', async () => {
    const result = await runCli(['grant', '--env', env], {cwd: dir})
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    const policies = JSON.parse(result.stdout) as Record<string, PolicyDocument>
    expect(Object.keys(policies)).toEqual(['checkout', 'worker'])
    const at = {region: EMULATOR_REGION}
    expect(await evaluate(policies.checkout, GET, secretArn(`/${env}/api/STRIPE_KEY`, at))).toBe('Allowed')
    expect(await evaluate(policies.worker, GET, secretArn(`/${env}/api/DB_PASS`, at))).toBe('Allowed')
    expect(await evaluate(policies.worker, GET, secretArn(`/${env}/api/STRIPE_KEY`, at))).toBe('ImplicitlyDenied')
    expect(policies.worker.Statement[0].Sid).toMatch(/^Worker/)
  })

  it('finds secrets.yml walking up from a subfolder, as it finds the environments', async () => {
    const nested = join(dir, 'services', 'checkout')
    mkdirSync(nested, {recursive: true})
    const result = await runCli(['grant', '--env', env], {cwd: nested})
    expect(result.code).toBe(0)
    expect(Object.keys(JSON.parse(result.stdout))).toEqual(['checkout', 'worker'])
  })

  it('takes --manifest FILE and --function to pick one function', async () => {
    const file = join(tempDir(), 'needs.yml')
    writeFileSync(file, manifest)
    const result = await runCli(['grant', '--manifest', file, '--env', 'prod', '--function', 'worker', '--format', 'serverless', '--account', '123456789012', '--region', 'eu-west-1'])
    expect(result.code).toBe(0)
    const parsed = parseCfnYaml(result.stdout) as {functions: Record<string, {iamRoleStatements: {Resource: string[]}[]}>}
    expect(Object.keys(parsed.functions)).toEqual(['worker'])
    expect(parsed.functions.worker.iamRoleStatements[0].Resource).toEqual([
      'arn:aws:secretsmanager:eu-west-1:123456789012:secret:/prod/api/DB_PASS-??????',
    ])
  })

  it('refuses a function the manifest does not declare', async () => {
    const result = await runCli(['grant', '--env', env, '--function', 'billing'], {cwd: dir})
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/declares no function "billing"/)
    expect(result.stderr).toMatch(/checkout, worker/)
  })

  it('--check passes (exit 0) when every declared secret exists', async () => {
    const result = await runCli(['grant', '--env', env, '--check'], {cwd: dir})
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    expect(result.stdout).toBe(`exists /${env}/api/DB_PASS\nexists /${env}/api/STRIPE_KEY\n`)
  })

  it('--check exits 3 listing only the missing secrets', async () => {
    const other = uniqueEnv('grant-missing')
    const set = await runCli(['set', `${other}/api`, 'DB_PASS'], {input: 'x\n'})
    expect(set.code).toBe(0)
    const result = await runCli(['grant', '--env', other, '--check'], {cwd: dir})
    expect(result.code).toBe(3)
    expect(result.stdout).toBe('')
    expect(result.stderr).toMatch(`1 of 2 declared secrets missing in ${other}: /${other}/api/STRIPE_KEY.`)
    expect(result.stderr).not.toMatch('DB_PASS')
  })

  it('--check counts a secret scheduled for deletion as missing, and reports JSON under --json', async () => {
    const other = uniqueEnv('grant-deleted')
    for (const name of ['DB_PASS', 'STRIPE_KEY']) await runCli(['set', `${other}/api`, name], {input: 'x\n'})
    const deleted = await runCli(['delete', `${other}/api`, 'STRIPE_KEY', '--yes'])
    expect(deleted.code).toBe(0)
    const result = await runCli(['grant', '--env', other, '--check', '--json'], {cwd: dir})
    expect(result.code).toBe(3)
    expect(JSON.parse(result.stdout).error).toMatchObject({code: 'NOT_FOUND', exitCode: 3, message: expect.stringContaining(`/${other}/api/STRIPE_KEY`)})
  })

  it('--check also works on ENV/SERVICE --secret, and refuses it without --secret', async () => {
    const missing = await runCli(['grant', `${env}/api`, '--function', 'checkout', '--secret', 'DB_PASS', '--secret', 'NOPE', '--check'])
    expect(missing.code).toBe(3)
    expect(missing.stderr).toMatch(`/${env}/api/NOPE`)
    const nothing = await runCli(['grant', `${env}/api`, '--function', 'checkout', '--check'])
    expect(nothing.code).toBe(2)
    expect(nothing.stderr).toMatch(/--check needs the secrets/)
  })

  it.each([
    ['an unknown key', 'service: api\nfunctions:\n  checkout: [DB_PASS]\nfuntions: {}\n', /secrets\.yml:4: unknown key "funtions"/],
    ['an invalid name', 'service: api\nfunctions:\n  checkout:\n    - DB_PASS\n    - DB/PASS\n', /secrets\.yml:5: the name "DB\/PASS"/],
    ['a function with no secrets', 'service: api\nfunctions:\n  checkout: [A]\n  worker: []\n', /secrets\.yml:4: function "worker" declares no secrets/],
  ])('refuses a manifest with %s, naming the line (exit 2)', async (_label, text, message) => {
    const bad = tempDir()
    writeFileSync(join(bad, 'secrets.yml'), text)
    const result = await runCli(['grant', '--env', 'prod', '--check'], {cwd: bad, env: {...SDK_TRACE}})
    expect(result.code).toBe(2)
    expect(result.stdout).toBe('')
    expect(result.stderr).toMatch(message)
    expect(result.stderr).not.toMatch(SDK_LOADED)
  })

  it('refuses a missing manifest with exit 2 and says what to do', async () => {
    const result = await runCli(['grant', '--env', 'prod'], {cwd: tempDir()})
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/No manifest at secrets\.yml/)
    expect(result.stderr).toMatch(/--manifest FILE/)
  })

  it('refuses --secret with a manifest', async () => {
    const result = await runCli(['grant', '--env', 'prod', '--secret', 'DB_PASS'], {cwd: dir})
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/--secret is for ENV\/SERVICE mode/)
  })
})

describe('secrets grant --runtime', () => {
  it('adds the SAM function\'s Environment.Variables (names only) and a handler, still one YAML document', async () => {
    const result = await runCli(['grant', 'prod/api', '--function', 'checkout', '--secret', 'DB_PASS', '--secret', 'DB:password', '--runtime', 'nodejs', '--format', 'sam'], {
      env: {...DEAD_ENDPOINT, AWS_REGION: undefined},
    })
    expect(result.code).toBe(0)
    const [doc] = parseSamYaml(result.stdout) as {Environment: {Variables: Record<string, string>}; Policies: unknown[]}[]
    expect(doc.Environment.Variables).toEqual({DB_PASS_SECRET_ID: '/prod/api/DB_PASS', DB_SECRET_ID: '/prod/api/DB'})
    expect(doc.Policies).toHaveLength(1)
    expect(result.stdout).toMatch(/# Environment.Variables: Secret names only: a secret's name is configuration, not a secret/)
    expect(result.stdout).toContain('# Rotation not checked for /prod/api/DB_PASS, /prod/api/DB (no AWS region configured).')
    expect(result.stdout).toMatch(/# {3}const db = await getSecret\(process\.env\.DB_SECRET_ID, \{maxAge: MAX_AGE, transform: 'json'\}\)/)
  })

  it('gives the handler, the environment and the cache age under --json', async () => {
    const result = await runCli(['grant', 'prod/api', '--function', 'checkout', '--secret', 'DB_PASS', '--runtime', 'python', '--account', '123456789012', '--region', 'eu-west-1', '--json'], {env: DEAD_ENDPOINT})
    expect(result.code).toBe(0)
    const [fn] = JSON.parse(result.stdout).functions
    expect(fn).toMatchObject({function: 'checkout', runtime: 'python', environment: {DB_PASS_SECRET_ID: '/prod/api/DB_PASS'}, cache: {maxAge: 300}})
    expect(fn.handler).toContain('parameters.get_secret(os.environ["DB_PASS_SECRET_ID"], max_age=MAX_AGE)')
  })

  it('takes each function\'s runtime from the manifest, --runtime for the others', async () => {
    const dir = tempDir()
    writeFileSync(join(dir, 'secrets.yml'), 'service: api\nfunctions:\n  checkout: [DB_PASS]\n  billing:\n    runtime: python\n    secrets: ["DB:password"]\n')
    const result = await runCli(['grant', '--env', 'prod', '--runtime', 'nodejs', '--account', '123456789012', '--region', 'eu-west-1'], {cwd: dir, env: DEAD_ENDPOINT})
    expect(result.code).toBe(0)
    const parsed = JSON.parse(result.stdout)
    expect(parsed.checkout).toMatchObject({runtime: 'nodejs', environment: {DB_PASS_SECRET_ID: '/prod/api/DB_PASS'}})
    expect(parsed.billing).toMatchObject({runtime: 'python', environment: {DB_SECRET_ID: '/prod/api/DB'}})
    expect(parsed.billing.handler).toContain('transform="json"')
    const without = await runCli(['grant', '--env', 'prod', '--account', '123456789012', '--region', 'eu-west-1'], {cwd: dir, env: DEAD_ENDPOINT})
    expect(without.code).toBe(2)
    expect(without.stderr).toMatch(/"checkout" has no runtime/)
  })

  it('prints one CloudFormation document for a manifest of several functions, which passes cfn-lint pasted into a template', async () => {
    const dir = tempDir()
    writeFileSync(join(dir, 'secrets.yml'), 'service: api\nfunctions:\n  checkout: [DB_PASS, "DB:password"]\n  billing:\n    runtime: python\n    secrets: [STRIPE_KEY]\n')
    const result = await runCli(['grant', '--env', 'prod', '--runtime', 'nodejs', '--format', 'cloudformation', '--account', '123456789012', '--region', 'eu-west-1'], {cwd: dir, env: DEAD_ENDPOINT})
    expect(result.code).toBe(0)
    expect(parseSamYaml(result.stdout)).toHaveLength(1)
    const doc = parseCfnYaml(result.stdout) as {Resources: Record<string, {Properties: {Environment?: {Variables: Record<string, string>}}}>}
    expect(Object.keys(doc.Resources)).toEqual(['CheckoutProdSecretsPolicy', 'BillingProdSecretsPolicy', 'Checkout', 'Billing'])
    expect(doc.Resources.Checkout.Properties.Environment?.Variables).toEqual({DB_PASS_SECRET_ID: '/prod/api/DB_PASS', DB_SECRET_ID: '/prod/api/DB'})
    expect(doc.Resources.Billing.Properties.Environment?.Variables).toEqual({STRIPE_KEY_SECRET_ID: '/prod/api/STRIPE_KEY'})
    expect(result.stdout).toMatch(/# {5}stripe_key = parameters\.get_secret\(os\.environ\["STRIPE_KEY_SECRET_ID"\], max_age=MAX_AGE\)/)
    const lint = cfnLint(cfnTemplateFromBlock(result.stdout))
    expect(lint.output).toBe('')
    expect(lint.code).toBe(0)
  })

  it('refuses --runtime without the secrets to name (exit 2)', async () => {
    const result = await runCli(['grant', 'prod/api', '--function', 'checkout', '--runtime', 'nodejs', '--account', '123456789012', '--region', 'eu-west-1'], {env: DEAD_ENDPOINT})
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/--secret NAME/)
  })
})

describe('secrets grant --runtime: caching against rotation', () => {
  const rotating = `/${env}/api/ROTATING`
  const plain = `/${env}/api/PLAIN`
  const args = ['grant', `${env}/api`, '--function', 'checkout', '--secret', 'ROTATING', '--secret', 'PLAIN', '--runtime', 'nodejs', '--format', 'sam']

  beforeAll(async () => {
    for (const name of ['ROTATING', 'PLAIN']) expect((await runCli(['set', `${env}/api`, name], {input: 'x\n'})).code).toBe(0)
    const {RotateSecretCommand, SecretsManagerClient} = await import('@aws-sdk/client-secrets-manager')
    const client = new SecretsManagerClient({endpoint: emulatorEndpoint(), region: EMULATOR_REGION, credentials: {accessKeyId: 'testing', secretAccessKey: 'testing'}})
    await client.send(new RotateSecretCommand({SecretId: rotating, RotationRules: {AutomaticallyAfterDays: 30}, RotateImmediately: false}))
  })

  it('asks DescribeSecret and says each secret\'s rotation; the default 300 s draws no warning', async () => {
    const result = await runCli(args)
    expect(result.code).toBe(0)
    expect(result.stderr).toBe('')
    expect(result.stdout).toContain(`# Rotation of ${rotating}: every 30 days.`)
    expect(result.stdout).toContain(`# Rotation of ${plain}: disabled.`)
    expect(result.stdout).toMatch(/# Cache: maxAge 300 s \(at most one GetSecretValue/)
    expect(result.stdout).not.toMatch(/Warning/)
  })

  it('warns, in the output and on stderr, when --max-age outlives the rotation overlap', async () => {
    const result = await runCli([...args, '--max-age', '900'])
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('const MAX_AGE = 900')
    expect(result.stdout).toContain('# Cache: maxAge 900 s (set with --max-age).')
    expect(result.stdout).toContain(`# Warning: ${rotating} rotates (every 30 days) and maxAge 900 s outlives the 300 s`)
    expect(result.stdout).not.toContain(`Warning: ${plain}`)
    expect(result.stderr).toMatch(new RegExp(`^Warning: ${rotating} rotates`))
    const json = JSON.parse((await runCli([...args, '--max-age', '900', '--json'])).stdout)
    expect(json.warnings).toHaveLength(1)
    expect(json.functions[0].cache.rotation).toEqual([
      {secret: rotating, state: {kind: 'enabled', afterDays: 30}},
      {secret: plain, state: {kind: 'disabled'}},
    ])
  })

  it('says rotation was not checked when AWS cannot be reached, or without credentials, and still prints', async () => {
    const offline = await runCli(args, {env: DEAD_ENDPOINT})
    expect(offline.code).toBe(0)
    expect(offline.stdout).toContain(`# Rotation not checked for ${rotating}, ${plain} (AWS unreachable).`)
    const anonymous = await runCli(args, {env: {AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined}})
    expect(anonymous.code).toBe(0)
    expect(anonymous.stdout).toContain('(no credentials, or DescribeSecret denied).')
  })

  it('refuses --max-age and --via without --runtime, and a cache age out of range (exit 2)', async () => {
    for (const extra of [['--max-age', '60'], ['--via', 'extension'], ['--runtime', 'nodejs', '--secret', 'A', '--max-age', '0'], ['--runtime', 'nodejs', '--secret', 'A', '--via', 'extension', '--max-age', '900']]) {
      const result = await runCli(['grant', 'prod/api', '--function', 'checkout', '--account', '123456789012', '--region', 'eu-west-1', ...extra], {env: DEAD_ENDPOINT})
      expect(result.code).toBe(2)
    }
  })
})

describe('secrets grant --check --template', () => {
  const dir = tempDir()
  const LEAKED = 'ghp_R4nd0mV4lu3xQ8Zt7Kp2Lm9Wn5Vb3Cj6Dh1F'

  beforeAll(async () => {
    writeFileSync(join(dir, 'secrets.yml'), 'service: api\nfunctions:\n  checkout: [DB_PASS, STRIPE_KEY]\n')
    for (const name of ['DB_PASS', 'STRIPE_KEY']) expect((await runCli(['set', `${env}/api`, name], {input: 'x'})).code).toBe(0)
  })

  it('fails (exit 7) naming each variable that carries a value, never the value, before any AWS call', async () => {
    writeFileSync(join(dir, 'leaky.yaml'), samTemplateOfOne(`Environment:\n  Variables:\n    API_TOKEN: ${LEAKED}\n    DB_PASS: hunter2hunter2\n    LOG_LEVEL: debug\n`))
    const result = await runCli(['grant', '--env', env, '--check', '--template', 'leaky.yaml'], {cwd: dir, env: {...DEAD_ENDPOINT, ...SDK_TRACE}})
    expect(result.code).toBe(7)
    expect(result.stdout).toBe('')
    expect(result.stderr).toMatch(/leaky\.yaml: 2 function environment variables carry a value instead of a secret's name: Checkout API_TOKEN \(line 12\), Checkout DB_PASS \(line 13\)/)
    expect(result.stderr).not.toMatch(/LOG_LEVEL|ghp_|hunter2/)
    expect(result.stderr).not.toMatch(SDK_LOADED)
  })

  it('passes a template whose environment is what grant --runtime prints (names only)', async () => {
    const grant = await runCli(['grant', `${env}/api`, '--function', 'checkout', '--secret', 'DB_PASS', '--secret', 'STRIPE_KEY', '--runtime', 'nodejs', '--format', 'sam'])
    expect(grant.code).toBe(0)
    writeFileSync(join(dir, 'clean.yaml'), samTemplateOfOne(grant.stdout))
    const result = await runCli(['grant', '--env', env, '--check', '--template', 'clean.yaml'], {cwd: dir})
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    expect(result.stdout).toBe(`exists /${env}/api/DB_PASS\nexists /${env}/api/STRIPE_KEY\nno values in the environments of clean.yaml\n`)

    // A file name with terminal controls or a line separator is named escaped, on its one line.
    writeFileSync(join(dir, 'clean\u001B[2J\u2028.yaml'), samTemplateOfOne(grant.stdout))
    const odd = await runCli(['grant', '--env', env, '--check', '--template', 'clean\u001B[2J\u2028.yaml'], {cwd: dir})
    expect(odd.code).toBe(0)
    expect(odd.stdout.split('\n')[2]).toBe('no values in the environments of clean\\u{1b}[2J\\u{2028}.yaml')
  })

  it('refuses a file that is not a template, and --template without --check (exit 2)', async () => {
    writeFileSync(join(dir, 'notes.yaml'), 'hello: world\n')
    const notTemplate = await runCli(['grant', '--env', env, '--check', '--template', 'notes.yaml'], {cwd: dir})
    expect(notTemplate.code).toBe(2)
    expect(notTemplate.stderr).toMatch(/is not a template/)
    const noCheck = await runCli(['grant', '--env', env, '--template', 'notes.yaml'], {cwd: dir})
    expect(noCheck.code).toBe(2)
    expect(noCheck.stderr).toMatch(/add --check/)
  })
})
