import {existsSync} from 'node:fs'
import {mkdtemp, readFile, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {PutParameterCommand, SSMClient} from '@aws-sdk/client-ssm'
import {beforeAll, describe, expect, it} from 'vitest'

import {terraformFmt} from '../fixtures/grant-parsers.js'
import {emulatorEndpoint, runCli, runRecipe, uniqueEnv, useOwnEmulator} from '../helpers/cli.js'

// examples/scheduled-audit.sh runs audit, which reads the whole account (ACCOUNT_WIDE_COMMANDS).
await useOwnEmulator()

async function set(scope: string, name: string, value: string): Promise<void> {
  const result = await runCli(['set', scope, name], {input: value})
  expect(result.code, result.stderr).toBe(0)
}

async function manifest(text: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'secrets-recipe-'))
  const file = join(dir, 'secrets.yml')
  await writeFile(file, text)
  return file
}

describe('examples/store-from-ci-secret.sh', () => {
  const env = uniqueEnv('ci')
  const value = 'canary-ci-value with spaces -n \\n'

  it('stores the value from SECRET_VALUE via stdin, then reports unchanged, never printing it', async () => {
    const first = await runRecipe('store-from-ci-secret.sh', [`${env}/api`, 'DB_PASS'], {SECRET_VALUE: value})
    expect(first).toMatchObject({code: 0, stdout: `created /${env}/api/DB_PASS\n`, stderr: ''})
    expect((await runCli(['get', `${env}/api`, 'DB_PASS'])).stdout).toBe(value)
    const again = await runRecipe('store-from-ci-secret.sh', [`${env}/api`, 'DB_PASS'], {SECRET_VALUE: value})
    expect(again).toMatchObject({code: 0, stdout: `unchanged /${env}/api/DB_PASS\n`})
    expect(first.stdout + first.stderr + again.stdout + again.stderr).not.toContain('canary-ci-value')
  })

  it('exits 2 and writes nothing when the CI secret is empty', async () => {
    const result = await runRecipe('store-from-ci-secret.sh', [`${env}/api`, 'EMPTY'], {SECRET_VALUE: ''})
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('SECRET_VALUE is empty')
    expect((await runCli(['get', `${env}/api`, 'EMPTY'])).code).toBe(3)
  })
})

describe('examples/gate-deploy-on-diff.sh', () => {
  const staging = uniqueEnv('gates')
  const prod = uniqueEnv('gatep')
  // A second production, already holding every secret of staging, for the manifest's own check.
  const prodComplete = uniqueEnv('gatem')
  beforeAll(async () => {
    await set(`${staging}/api`, 'DB_PASS', 'staging-pass')
    await set(`${prod}/api`, 'DB_PASS', 'prod-pass')
    await set(`${staging}/api`, 'STRIPE_KEY', 'sk_staging')
    await set(`${prodComplete}/api`, 'DB_PASS', 'prod-pass')
    await set(`${prodComplete}/api`, 'STRIPE_KEY', 'sk_prod')
  })

  it('stops the deploy (exit 1) naming what the target lacks, then lets it through once promoted', async () => {
    const blocked = await runRecipe('gate-deploy-on-diff.sh', [`${staging}/api`, `${prod}/api`])
    expect(blocked.code).toBe(1)
    expect(blocked.stderr).toContain(`${prod}/api lacks secrets that ${staging}/api has:\n  STRIPE_KEY\n`)
    expect(blocked.stdout).toBe('')

    expect((await runCli(['promote', `${staging}/api`, `${prod}/api`, '--secret', 'STRIPE_KEY', '--yes'])).code).toBe(0)
    const go = await runRecipe('gate-deploy-on-diff.sh', [`${staging}/api`, `${prod}/api`])
    expect(go.code).toBe(0)
    expect(go.stdout).toBe(`ok: ${prod}/api has every secret of ${staging}/api (1 with a value of its own)\n`)
    expect(go.stdout + go.stderr).not.toMatch(/staging-pass|prod-pass|sk_staging/)
  })

  it('also stops on a secret declared in secrets.yml that the target lacks (grant --check)', async () => {
    const file = await manifest('service: api\nfunctions:\n  checkout: [DB_PASS, STRIPE_KEY]\n  mailer: [SMTP_PASS]\n')
    const blocked = await runRecipe('gate-deploy-on-diff.sh', [`${staging}/api`, `${prodComplete}/api`, file])
    expect(blocked.code).toBe(1)
    expect(blocked.stderr).toContain(`/${prodComplete}/api/SMTP_PASS`)
    expect(blocked.stderr).toContain(`lacks secrets declared in ${file}`)

    await set(`${prodComplete}/api`, 'SMTP_PASS', 'smtp')
    const go = await runRecipe('gate-deploy-on-diff.sh', [`${staging}/api`, `${prodComplete}/api`, file])
    expect(go.code).toBe(0)
    expect(go.stdout).toContain(`ok: every secret declared in ${file} exists in ${prodComplete}`)
  })

  it('passes the CLI\'s own failure through (exit 2 for a bad scope)', async () => {
    const result = await runRecipe('gate-deploy-on-diff.sh', [`${staging}/a*pi`, `${prod}/api`])
    expect(result.code).toBe(2)
  })
})

describe('examples/emit-policies-at-build.sh', () => {
  const env = uniqueEnv('build')
  beforeAll(async () => {
    await set(`${env}/api`, 'DB_PASS', 'p')
    await set(`${env}/api`, 'STRIPE_KEY', 'k')
  })

  it('writes one least-privilege policy per declared function into the build directory', async () => {
    const file = await manifest('service: api\nfunctions:\n  checkout: [DB_PASS, STRIPE_KEY]\n  worker: [DB_PASS]\n')
    const out = await mkdtemp(join(tmpdir(), 'secrets-build-'))
    const result = await runRecipe('emit-policies-at-build.sh', [file, env, out])
    expect(result.code, result.stderr).toBe(0)
    const path = join(out, `secrets-policies.${env}.json`)
    expect(result.stdout).toBe(`wrote ${path}\n`)
    const policies = JSON.parse(await readFile(path, 'utf8'))
    expect(Object.keys(policies).sort()).toEqual(['checkout', 'worker'])
    expect(policies.worker.Statement[0]).toMatchObject({
      Effect: 'Allow',
      Action: ['secretsmanager:GetSecretValue'],
      Resource: [`arn:aws:secretsmanager:us-east-1:123456789012:secret:/${env}/api/DB_PASS-??????`],
    })
  })

  it('writes CloudFormation when asked', async () => {
    const file = await manifest('service: api\nfunctions:\n  worker: [DB_PASS]\n')
    const out = await mkdtemp(join(tmpdir(), 'secrets-build-'))
    const result = await runRecipe('emit-policies-at-build.sh', [file, env, out, 'cloudformation'])
    expect(result.code, result.stderr).toBe(0)
    expect(await readFile(join(out, `secrets-policies.${env}.yaml`), 'utf8')).toContain('secretsmanager:GetSecretValue')
  })

  it('writes Terraform as a .tf file that terraform fmt -check accepts as it is', async () => {
    const file = await manifest('service: api\nfunctions:\n  checkout: [DB_PASS, STRIPE_KEY]\n  worker: [DB_PASS]\n')
    const out = await mkdtemp(join(tmpdir(), 'secrets-build-'))
    const result = await runRecipe('emit-policies-at-build.sh', [file, env, out, 'terraform'])
    expect(result.code, result.stderr).toBe(0)
    const path = join(out, `secrets-policies.${env}.tf`)
    expect(result.stdout).toBe(`wrote ${path}\n`)
    const fmt = terraformFmt(await readFile(path, 'utf8'))
    expect(fmt.code, fmt.output).toBe(0)
  })

  it('fails the build (exit 3) and writes nothing when a declared secret is missing', async () => {
    const file = await manifest('service: api\nfunctions:\n  worker: [DB_PASS, NOT_THERE]\n')
    const out = await mkdtemp(join(tmpdir(), 'secrets-build-'))
    const result = await runRecipe('emit-policies-at-build.sh', [file, env, out])
    expect(result.code).toBe(3)
    expect(result.stderr).toContain(`/${env}/api/NOT_THERE`)
    expect(existsSync(join(out, `secrets-policies.${env}.json`))).toBe(false)
  })
})

describe('examples/scheduled-audit.sh', () => {
  const env = uniqueEnv('audit')
  beforeAll(async () => {
    // A password in a plain String parameter: the audit's high finding.
    const ssm = new SSMClient({endpoint: emulatorEndpoint(), region: 'us-east-1', credentials: {accessKeyId: 'testing', secretAccessKey: 'testing'}})
    await ssm.send(new PutParameterCommand({Name: `/${env}/api/DB_PASSWORD`, Type: 'String', Value: 'canary-audit-Xy7#pw'}))
  })

  it('keeps the JSON report, prints a summary and exits 7 on a high finding, never showing the value', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'secrets-audit-'))
    const result = await runRecipe('scheduled-audit.sh', ['report.json', 'high'], {}, dir)
    expect(result.code, result.stderr).toBe(7)
    expect(result.stdout).toMatch(/^audit: \d+ findings \([1-9]\d* high, \d+ medium, \d+ low\), \d+ coverage gaps\n$/)
    expect(result.stderr).toContain(`/${env}/api/DB_PASSWORD`)
    expect(result.stderr).toContain('findings at or above high: see report.json')
    const report = JSON.parse(await readFile(join(dir, 'report.json'), 'utf8'))
    expect(report.findings).toContainEqual(expect.objectContaining({severity: 'high', resource: `/${env}/api/DB_PASSWORD`}))
    expect(result.stdout + result.stderr + JSON.stringify(report)).not.toContain('canary-audit')
  })
})
