import {describe, expect, it} from 'vitest'

import {scanManyForSecrets} from '../../../src/core/audit/secret-scan.js'
import {scanFile} from '../../../src/core/scan/scan-file.js'
import {parseHcl} from '../../../src/services/hcl-parser.js'

async function fixesOf(text: string) {
  const result = await scanFile('serverless.yml', text, scanManyForSecrets, parseHcl)
  if (result.kind !== 'scanned') throw new Error(`not scanned: ${JSON.stringify(result)}`)
  return Object.fromEntries(result.findings.map((item) => [item.variable, item.fix]))
}

/** A serverless.yml of service `hooks` whose provider says `stage`, with functions given as YAML lines. */
function template(stage: string | undefined, functions: string, providerEnvironment = ''): string {
  return [
    'service: hooks',
    'provider:',
    '  name: aws',
    '  runtime: nodejs20.x',
    ...(stage === undefined ? [] : [`  stage: ${stage}`]),
    ...(providerEnvironment === '' ? [] : ['  environment:', providerEnvironment]),
    'functions:',
    functions,
    '',
  ].join('\n')
}

const GITHUB_CHECK = '  githubCheck:\n    handler: h.check\n    environment:\n      WEBHOOK_SECRET: a-literal-secret'

describe('the grant of a Serverless function names it as it is deployed, and keys its block by its key in the file', () => {
  it('is <service>-<stage>-<key> with --function-key <key>', async () => {
    const fixes = await fixesOf(template('prod', GITHUB_CHECK))
    expect(fixes.WEBHOOK_SECRET.grant).toBe('secrets grant prod/hooks-githubCheck --function hooks-prod-githubCheck --function-key githubCheck --secret WEBHOOK_SECRET --format serverless --runtime nodejs')
    expect(fixes.WEBHOOK_SECRET.change).not.toContain('fill in')
  })

  it('takes the stage dev when provider.stage is not set, as Serverless does', async () => {
    const fixes = await fixesOf(template(undefined, GITHUB_CHECK))
    // Before: --function hooks-githubCheck, a function that is never deployed.
    expect(fixes.WEBHOOK_SECRET.grant).toContain(' --function hooks-dev-githubCheck --function-key githubCheck ')
    expect(fixes.WEBHOOK_SECRET.store).toBe('secrets set dev/hooks-githubCheck WEBHOOK_SECRET')
  })

  it("takes the default of a stage given at deploy, and says which stage the name is for", async () => {
    const fixes = await fixesOf(template("${opt:stage, 'staging'}", GITHUB_CHECK))
    expect(fixes.WEBHOOK_SECRET.grant).toContain(' --function hooks-staging-githubCheck --function-key githubCheck ')
    expect(fixes.WEBHOOK_SECRET.change).toContain("--function names the function deployed to stage staging (provider.stage's default)")
  })

  it('says to fill in the stage when only the deploy gives it', async () => {
    const fixes = await fixesOf(template('${opt:stage}', GITHUB_CHECK))
    expect(fixes.WEBHOOK_SECRET.grant).toBe('secrets grant ENV/hooks-githubCheck --function hooks-STAGE-githubCheck --function-key githubCheck --secret WEBHOOK_SECRET --format serverless --runtime nodejs')
    expect(fixes.WEBHOOK_SECRET.change).toContain('fill in STAGE and ENV with the stage you deploy')
  })

  it("uses a function's own name, its variables read, and says to fill in one the file does not tell", async () => {
    const fixes = await fixesOf(
      template(
        'prod',
        '  worker:\n    handler: h.work\n    name: ${self:service}-${sls:stage}-jobs\n    environment:\n      JOBS_TOKEN: a-literal-token\n  audit:\n    handler: h.audit\n    name: ${env:AUDIT_FUNCTION}\n    environment:\n      AUDIT_TOKEN: a-literal-token\n  report:\n    handler: h.report\n    name: ${opt:stage, \'qa\'}-${env:REPORT_NAME, \'reports\'}\n    environment:\n      REPORT_TOKEN: a-literal-token',
      ),
    )
    // Before: --function '${self:service}-${sls:stage}-jobs', which grant refuses.
    expect(fixes.JOBS_TOKEN.grant).toContain(' --function hooks-prod-jobs --function-key worker ')
    expect(fixes.AUDIT_TOKEN.grant).toContain(' --function FUNCTION --function-key audit ')
    expect(fixes.AUDIT_TOKEN.change).toContain('fill in FUNCTION with the name functions.audit is deployed under')
    // Without --stage, ${opt:stage, 'qa'} is qa, whatever provider.stage says.
    expect(fixes.REPORT_TOKEN.grant).toContain(' --function qa-reports --function-key report ')
  })

  it("reads a service written as v1's service: {name: ...}", async () => {
    const fixes = await fixesOf(template('prod', GITHUB_CHECK).replace('service: hooks', 'service:\n  name: hooks'))
    expect(fixes.WEBHOOK_SECRET.grant).toContain(' --function hooks-prod-githubCheck ')
  })
})

describe('provider.environment is granted to every function', () => {
  const functions = '  githubCheck:\n    handler: h.check\n    runtime: python3.12\n  worker:\n    handler: h.work\n    name: hooks-jobs'

  it('one grant per function, each under its deployed name, key and runtime, for one secret of the service', async () => {
    const fixes = await fixesOf(template('prod', functions, '    SIGNING_SECRET: a-literal-secret'))
    // Before: one grant for --function hooks, the service's name, which no function is deployed under.
    expect(fixes.SIGNING_SECRET.store).toBe('secrets set prod/hooks SIGNING_SECRET')
    expect(fixes.SIGNING_SECRET.grant).toBe(
      [
        'secrets grant prod/hooks --function hooks-prod-githubCheck --function-key githubCheck --secret SIGNING_SECRET --format serverless --runtime python',
        'secrets grant prod/hooks --function hooks-jobs --function-key worker --secret SIGNING_SECRET --format serverless --runtime nodejs',
      ].join('; '),
    )
    // Each grant has its function's own runtime: no guess left to say.
    expect(fixes.SIGNING_SECRET.change).not.toContain('--runtime python for a Python function')
  })

  it('grants a Secrets Manager secret outside the scheme by --id to every function', async () => {
    const fixes = await fixesOf(template('prod', functions, '    DB_PASSWORD: ${ssm:/aws/reference/secretsmanager/hooks-db-password}'))
    expect(fixes.DB_PASSWORD.grant).toBe(
      [
        'secrets grant --function hooks-prod-githubCheck --function-key githubCheck --id hooks-db-password --format serverless',
        'secrets grant --function hooks-jobs --function-key worker --id hooks-db-password --format serverless',
      ].join('; '),
    )
  })
})

describe('a Parameter Store name built from the stage', () => {
  it('is read with the stage a deploy with no options gives, so the printed migrate finds the parameter', async () => {
    const fixes = await fixesOf(template("${opt:stage, 'prod'}", '  sync:\n    handler: h.sync\n    environment:\n      DB_PASSWORD: ${ssm:/hooks/${self:provider.stage}/db_password}\n      API_TOKEN: ${ssm:/hooks/${opt:stage, \'prod\'}/api_token}'))
    expect(fixes.DB_PASSWORD.store).toBe('secrets migrate --from-ssm /hooks/prod --to hooks/prod --only db_password --delete-source')
    expect(fixes.DB_PASSWORD.grant).toContain('secrets grant hooks/prod ')
    expect(fixes.API_TOKEN.store).toBe('secrets migrate --from-ssm /hooks/prod --to hooks/prod --only api_token --delete-source')
  })
})

describe("the grants of a Serverless provider role's findings key each function's block by its key in the file", () => {
  const shared = [
    'service: hooks',
    'provider:',
    '  name: aws',
    '  stage: prod',
    '  iam:',
    '    role:',
    '      statements:',
    '        - Effect: Allow',
    '          Action: secretsmanager:GetSecretValue',
    "          Resource: '*'",
    'functions:',
    '  githubCheck:',
    '    handler: h.check',
    '  slackNotify:',
    '    handler: h.notify',
    '',
  ].join('\n')

  it('gives --function-key to the shared role and to the policy reading every secret', async () => {
    const result = await scanFile('serverless.yml', shared, scanManyForSecrets, parseHcl)
    if (result.kind !== 'scanned') throw new Error('not scanned')
    const byRule = Object.fromEntries(result.findings.map((item) => [item.rule, item.fix]))
    expect(byRule['iam-shared-role'].grant).toContain('--function hooks-prod-githubCheck --function-key githubCheck --secret NAME')
    expect(byRule['iam-shared-role'].grant).toContain('--function hooks-prod-slackNotify --function-key slackNotify --secret NAME')
    expect(byRule['iam-all-secrets'].grant).toContain('--function hooks-prod-githubCheck --function-key githubCheck ')
  })
})
