import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {tinyZip} from '../../test/fixtures/audit-accounts.js'
import type {Tour} from '../tour.js'

/** The demo's own resources: the final audit must report none of them. */
const FUNCTION = 'billing-prod'
const ROLE = 'billing-prod'
/** Its own path under /prod/billing/, so the migration below never touches what the migrate tour seeded. */
const PARAMETER_PATH = '/prod/billing/smtp'
const PARAMETER = `${PARAMETER_PATH}/SMTP_PASSWORD`

/** `secrets audit`: plant the three mistakes with the AWS CLI, find them, fix them, audit clean. */
export default async function audit(tour: Tour): Promise<void> {
  const aws = (args: string[], options: {quiet?: boolean} = {}) =>
    tour.shell('aws', [...args, '--endpoint-url', tour.endpoint, '--region', 'us-east-1'], options)
  const dir = mkdtempSync(join(tmpdir(), 'secrets-audit-demo-'))
  try {
    tour.section(
      'Audit: plant the three mistakes',
      'A billing function with its database password in an environment variable, an SMTP password in a plain\n' +
        'String parameter, and a role that may read every secret in the account - the way many accounts look.',
    )
    const zip = join(dir, 'function.zip')
    writeFileSync(zip, tinyZip())
    const trust = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{Effect: 'Allow', Principal: {Service: 'lambda.amazonaws.com'}, Action: 'sts:AssumeRole'}],
    })
    aws(['iam', 'create-role', '--role-name', ROLE, '--assume-role-policy-document', trust], {quiet: true})
    aws(
      [
        'iam',
        'put-role-policy',
        '--role-name',
        ROLE,
        '--policy-name',
        'read-all-secrets',
        '--policy-document',
        JSON.stringify({Version: '2012-10-17', Statement: [{Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: '*'}]}),
      ],
      {quiet: true},
    )
    aws(
      [
        'lambda',
        'create-function',
        '--function-name',
        FUNCTION,
        '--runtime',
        'nodejs20.x',
        '--handler',
        'index.handler',
        '--role',
        `arn:aws:iam::123456789012:role/${ROLE}`,
        '--zip-file',
        `fileb://${zip}`,
        '--environment',
        JSON.stringify({Variables: {DB_PASSWORD: 'demo-db-password-1', LOG_LEVEL: 'info'}}),
      ],
      {quiet: true},
    )
    aws(['ssm', 'put-parameter', '--name', PARAMETER, '--type', 'String', '--value', 'demo-smtp-password-2'], {quiet: true})

    tour.section(
      'Audit: find them',
      'Read-only. Each finding names the resource, the variable or parameter, the rule and the secrets command\n' +
        'that fixes it - never the value.',
    )
    tour.secrets(['audit'])
    tour.say('In a scheduled pipeline, --fail-on gates on severity (exit 7) and --json keeps the report:')
    const gate = JSON.parse(tour.secrets(['audit', '--fail-on', 'high', '--json'], {expect: 7, quiet: true}).stdout) as {
      failOn: string
      failed: boolean
      counts: Record<string, number>
      findings: Array<{resource: string; fix: string}>
    }
    tour.say(`The report's verdict: failOn ${gate.failOn}, failed ${gate.failed}, counts ${JSON.stringify(gate.counts)}.`)
    const fixOf = (resource: string) => {
      const finding = gate.findings.find((item) => item.resource === resource)
      if (!finding) throw new Error(`demo step failed: the audit reports nothing on ${resource}`)
      return finding.fix
    }

    tour.section(
      'Audit: fix the Parameter Store secret',
      'Run the fix the audit printed, as printed: migrate that one parameter into Secrets Manager; it is deleted only after its secret verified equal, and the configuration beside it stays.',
    )
    tour.line(fixOf(PARAMETER))

    tour.section(
      'Audit: fix the environment variable',
      'Run the fix the audit printed, as printed: migrate the function\'s secret variables into Secrets Manager, then grant\n' +
        'the function exactly those secrets (the policy, the variable that names each secret, and the code that reads it).',
    )
    tour.line(fixOf(FUNCTION))
    tour.say(
      "The fix's last step, as its comment says: the variable goes, and the reference the grant printed takes its place.\n" +
        '(`secrets migrate --from-lambda ... --remove-from-source` does this on AWS, with the RevisionId that guards the\n' +
        'write; the emulator gives no RevisionId, so here the AWS CLI makes the same change.)',
    )
    aws([
      'lambda',
      'update-function-configuration',
      '--function-name',
      FUNCTION,
      '--environment',
      JSON.stringify({Variables: {DB_PASSWORD_SECRET_ID: '/prod/billing/DB_PASSWORD', LOG_LEVEL: 'info'}}),
      '--query',
      'Environment.Variables',
    ])

    tour.section('Audit: fix the role', 'Replace "every secret" with exactly the two secrets the function reads.')
    const policy = tour.secrets(['grant', 'prod/billing', '--function', FUNCTION, '--secret', 'DB_PASSWORD', '--secret', 'SMTP_PASSWORD']).stdout

    aws(['iam', 'put-role-policy', '--role-name', ROLE, '--policy-name', 'billing-secrets', '--policy-document', JSON.stringify(JSON.parse(policy))])
    aws(['iam', 'delete-role-policy', '--role-name', ROLE, '--policy-name', 'read-all-secrets'])

    tour.section('Audit: clean', 'The same audit, the same gate.')
    const after = JSON.parse(tour.secrets(['audit', '--json'], {quiet: true}).stdout) as {
      findings: Array<{resource: string; severity: string}>
    }
    const mine = after.findings.filter((item) => [FUNCTION, ROLE, PARAMETER].includes(item.resource))
    if (mine.length > 0) throw new Error(`demo step failed: the audit still reports ${mine.length} of the demo's mistakes`)
    // Earlier tours leave their own objects in the shared emulator; the billing function's mistakes are what must be gone.
    const othersHigh = after.findings.some((item) => item.severity === 'high')
    if (after.findings.length > 0) {
      tour.say(
        `The billing function's three mistakes are gone. What remains was left by earlier tours in this emulator${othersHigh ? '' : ' (nothing high, so the gate passes)'}:`,
      )
    }

    tour.secrets(['audit', '--fail-on', 'high'], {expect: othersHigh ? 7 : 0})
  } finally {
    rmSync(dir, {recursive: true, force: true})
  }
}
