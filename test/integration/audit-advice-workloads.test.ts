/**
 * Issue 21: audit's fixes for secrets in Lambda and ECS environments are one migrate and one grant per
 * workload, printed once, and run exactly as printed (by a shell, through the built CLI, no terminal)
 * they move exactly the workload's secrets, byte for byte, and print a policy for exactly those.
 */
import {RegisterTaskDefinitionCommand} from '@aws-sdk/client-ecs'
import {CreateRoleCommand} from '@aws-sdk/client-iam'
import {CreateFunctionCommand} from '@aws-sdk/client-lambda'
import {beforeAll, describe, expect, it} from 'vitest'

import {secretsManagerClient} from '../../src/aws/clients.js'
import type {PolicyDocument} from '../../src/core/iam-policy.js'
import {SecretsManagerStore} from '../../src/stores/secrets-manager-store.js'
import {runCli, useOwnEmulator} from '../helpers/cli.js'
import {useShell} from '../helpers/shell.js'
import {emulatorEnv} from '../helpers/emulator.js'
import {credentialShapes, emulatorClients, tinyZip} from '../fixtures/audit-accounts.js'
import {evaluate, secretArn} from '../fixtures/grant-evaluator.js'

// An account-wide command: this file's own emulator, which no other test file writes to.
const emulator = await useOwnEmulator()
const shell = useShell('advice-wl')

const CHECKOUT = {DB_PASSWORD: 'hunter2 advice ü 1', GITHUB: credentialShapes.githubToken(), LOG_LEVEL: 'info', TABLE: 'orders'}
const WEB = {app: {DB_PASSWORD: 'web-db-advice-2', PORT: '8080'}, sidecar: {API_TOKEN: 'tok-advice-3', REGION: 'eu-west-1'}}

beforeAll(async () => {
  const {lambda, iam, ecs} = emulatorClients(emulator.endpoint)
  const trust = JSON.stringify({Version: '2012-10-17', Statement: [{Effect: 'Allow', Principal: {Service: 'lambda.amazonaws.com'}, Action: 'sts:AssumeRole'}]})
  const {Role} = await iam.send(new CreateRoleCommand({RoleName: 'checkout-role', AssumeRolePolicyDocument: trust}))
  await lambda.send(
    new CreateFunctionCommand({FunctionName: 'checkout-prod', Runtime: 'nodejs20.x', Role: Role!.Arn!, Handler: 'index.handler', Code: {ZipFile: tinyZip()}, Environment: {Variables: CHECKOUT}}),
  )
  await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: 'web-prod',
      containerDefinitions: Object.entries(WEB).map(([name, variables]) => ({
        name,
        image: `${name}:1`,
        memory: 64,
        environment: Object.entries(variables).map(([key, value]) => ({name: key, value})),
      })),
    }),
  )
}, 60_000)

describe("running audit's fixes for workload environments, exactly as printed", () => {
  it('prints one migrate and one grant per workload, and running them moves exactly its secrets', async () => {
    const first = await runCli(['audit', '--only', 'env'])
    expect(first.code).toBe(0)
    const fixes = first.stdout
      .split('\n')
      .filter((line) => / secrets [a-z]+ /.test(line))
      .map((line) => line.slice(line.search(/ secrets [a-z]+ /) + 1).trimEnd())
    expect(fixes).toEqual([
      'secrets migrate --from-lambda checkout-prod --to prod/checkout && secrets grant prod/checkout --function checkout-prod --secret DB_PASSWORD --secret GITHUB --runtime nodejs  # then remove DB_PASSWORD, GITHUB from checkout-prod\'s environment',
      'secrets migrate --from-ecs web-prod --to prod/web && secrets grant prod/web --task web-prod --secret API_TOKEN --secret DB_PASSWORD --runtime nodejs  # then remove API_TOKEN, DB_PASSWORD from web-prod\'s container environment and read them at run time with the module the grant prints (python: --runtime python); moving them to the container\'s secrets (valueFrom) instead is the lesser step: ECS then sets each value as an environment variable of the container, visible to anything that can read the process environment',
    ].sort((a, b) => first.stdout.indexOf(a) - first.stdout.indexOf(b)))
    // The other rows of each workload name the row that carries its fix.
    expect(first.stdout.match(/\(the same fix as for [^)]* above\)/g)?.sort()).toEqual(['(the same fix as for ecs:web-prod:1 app/DB_PASSWORD above)', '(the same fix as for lambda:checkout-prod DB_PASSWORD above)'])

    Object.assign(process.env, emulatorEnv(emulator.endpoint), {AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null'})
    const store = new SecretsManagerStore(await secretsManagerClient({}))
    const at = {region: 'us-east-1'}
    for (const fix of fixes) {
      const result = await shell.run(fix)
      expect(result.code, `${fix}\n${result.stdout}\n${result.stderr}`).toBe(0)
      // The migrate's report, then the grant's policy: the last JSON document on stdout.
      // With --runtime, the grant's document holds the policy, the variables that name the secrets and the handler.
      // A task's document holds the container's environment (name/value pairs) and a module in place of a handler.
      const grant = JSON.parse(result.stdout.slice(result.stdout.lastIndexOf('\n{\n') + 1)) as {policy: PolicyDocument; environment: Record<string, string> | {name: string; value: string}[]; handler?: string; module?: string}
      const policy = grant.policy
      const scope = fix.includes('checkout') ? '/prod/checkout' : '/prod/web'
      const granted = fix.includes('checkout') ? ['DB_PASSWORD', 'GITHUB'] : ['API_TOKEN', 'DB_PASSWORD']
      const config = fix.includes('checkout') ? ['LOG_LEVEL', 'TABLE'] : ['PORT', 'REGION']
      for (const name of granted) expect(await evaluate(policy, 'secretsmanager:GetSecretValue', secretArn(`${scope}/${name}`, at))).toBe('Allowed')
      const named = Array.isArray(grant.environment) ? grant.environment.map((entry) => entry.value) : Object.values(grant.environment)
      expect(named.sort()).toEqual(granted.map((name) => `${scope}/${name}`).sort())
      if (fix.includes('--task')) expect(grant.module).toContain("from '@aws-sdk/client-secrets-manager'")
      else expect(grant.handler).toContain("from '@aws-lambda-powertools/parameters/secrets'")
      for (const name of config) expect(await evaluate(policy, 'secretsmanager:GetSecretValue', secretArn(`${scope}/${name}`, at))).toBe('ImplicitlyDenied')
      const {values} = await store.getMany(config.map((name) => `${scope}/${name}`))
      expect(values.size).toBe(0)
    }

    const {values} = await store.getMany(['/prod/checkout/DB_PASSWORD', '/prod/checkout/GITHUB', '/prod/web/DB_PASSWORD', '/prod/web/API_TOKEN'])
    expect(Object.fromEntries([...values].map(([name, value]) => [name, value.text]))).toEqual({
      '/prod/checkout/DB_PASSWORD': CHECKOUT.DB_PASSWORD,
      '/prod/checkout/GITHUB': CHECKOUT.GITHUB,
      '/prod/web/DB_PASSWORD': WEB.app.DB_PASSWORD,
      '/prod/web/API_TOKEN': WEB.sidecar.API_TOKEN,
    })

    // Run twice (a retried pipeline step): nothing new is written.
    const again = await shell.run(fixes[0])
    expect(again.code, again.stderr).toBe(0)
    expect(again.stdout).toContain('2 unchanged')
  })
})
