/**
 * Audit's fix for a Lambda function's secrets grants them with the handler of the function's own
 * runtime, as ListFunctions gives it: a python3.12 function gets --runtime python (and running the fix
 * as printed prints a Python handler), a java21 function no --runtime and a note that the handlers
 * cover Node.js and Python. Before, every function's fix said --runtime nodejs.
 */
import {CreateRoleCommand} from '@aws-sdk/client-iam'
import {CreateFunctionCommand, type Runtime} from '@aws-sdk/client-lambda'
import {beforeAll, describe, expect, it} from 'vitest'

import {runCli, useOwnEmulator} from '../helpers/cli.js'
import {useShell} from '../helpers/shell.js'
import {emulatorClients, tinyZip} from '../fixtures/audit-accounts.js'

// An account-wide command: this file's own emulator, which no other test file writes to.
const emulator = await useOwnEmulator()
const shell = useShell('audit-runtime')

beforeAll(async () => {
  const {lambda, iam} = emulatorClients(emulator.endpoint)
  const trust = JSON.stringify({Version: '2012-10-17', Statement: [{Effect: 'Allow', Principal: {Service: 'lambda.amazonaws.com'}, Action: 'sts:AssumeRole'}]})
  const {Role} = await iam.send(new CreateRoleCommand({RoleName: 'runtime-role', AssumeRolePolicyDocument: trust}))
  const plant = (name: string, runtime: Runtime, variables: Record<string, string>) =>
    lambda.send(new CreateFunctionCommand({FunctionName: name, Runtime: runtime, Role: Role!.Arn!, Handler: 'app.handler', Code: {ZipFile: tinyZip()}, Environment: {Variables: variables}}))
  await plant('billing-prod', 'python3.12', {DB_PASSWORD: 'hunter2-runtime-py', LOG_LEVEL: 'info'})
  await plant('ledger-prod', 'java21', {DB_PASSWORD: 'hunter2-runtime-java'})
}, 60_000)

describe("audit's fix for a function's secrets, by the function's runtime", () => {
  it('grants a python3.12 function with --runtime python, and the fix run as printed prints a Python handler', async () => {
    const json = await runCli(['audit', '--only', 'env', '--json'])
    expect(json.code).toBe(0)
    const {findings} = JSON.parse(json.stdout) as {findings: Array<{resource: string; fix: string}>}
    const fix = findings.find((item) => item.resource === 'billing-prod')?.fix
    expect(fix).toBe(
      "secrets migrate --from-lambda billing-prod --to prod/billing && secrets grant prod/billing --function billing-prod --secret DB_PASSWORD --runtime python  # then remove DB_PASSWORD from billing-prod's environment",
    )

    const text = await runCli(['audit', '--only', 'env'])
    expect(text.stdout).toContain(fix)
    const run = await shell.run(fix!)
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0)
    const grant = JSON.parse(run.stdout.slice(run.stdout.lastIndexOf('\n{\n') + 1)) as {handler: string}
    expect(grant.handler).toContain('from aws_lambda_powertools.utilities import parameters')
  })

  it('grants a java21 function with no --runtime, and says the handlers cover Node.js and Python', async () => {
    const json = await runCli(['audit', '--only', 'env', '--json'])
    const {findings} = JSON.parse(json.stdout) as {findings: Array<{resource: string; fix: string}>}
    const fix = findings.find((item) => item.resource === 'ledger-prod')?.fix
    expect(fix).toMatch(/^secrets migrate --from-lambda ledger-prod --to prod\/ledger && secrets grant prod\/ledger --function ledger-prod --secret DB_PASSWORD {2}# then remove DB_PASSWORD from ledger-prod's environment \(no handler is printed for java21: the handlers cover Node\.js and Python;/)
  })
})
