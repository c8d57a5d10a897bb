/**
 * grant's output stays inert through the built CLI: a field name that would end a comment in the
 * printed code or template is refused before anything is printed (from --secret and from secrets.yml),
 * a generous one is printed and reads back as intended, and a rotation schedule from AWS holding a
 * newline and terminal controls reaches neither the code nor stderr raw.
 */
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {parse as parseHcl} from '@cdktf/hcl2json'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {runCli} from '../helpers/cli.js'
import {readTypeScript, readWithPython} from '../fixtures/inert-readers.js'
import {type FakeAws, startFakeAws} from '../safety/fake-aws.js'

/** Nothing listens there: any AWS call fails fast (rotation is then "not checked"). */
const DEAD_ENDPOINT = {AWS_ENDPOINT_URL: 'http://127.0.0.1:9', AWS_MAX_ATTEMPTS: '1'}
const PLACED = ['--account', '123456789012', '--region', 'eu-west-1']
// eslint-disable-next-line no-control-regex
const RAW_CONTROL = /[\u0000-\u0009\u000B-\u001F\u007F-\u009F\u2028\u2029]/u

/** The field names: LS ends a `//` comment for JavaScript; NEL ends a `#` comment for YAML 1.1. */
const LS_FIELD = "password\u2028process.stdout.write('X')//"
const NEL_FIELD = "pw\u0085  AdminBackdoor:\u0085    Type: AWS::IAM::Policy\u0085    Properties:\u0085      PolicyDocument:\u0085        Statement:\u0085          - Effect: Allow\u0085            Action: '*'\u0085            Resource: '*'\u0085#"
/** Printable, and awkward for every notation: kept, since a field name is a JSON key. */
const GENEROUS_FIELD = 'pass word "é" 😀 */ # ${x} %{y} \' \\'

function projectWith(secrets: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'grant-inert-'))
  writeFileSync(join(dir, 'secrets.yml'), `service: api\nfunctions:\n  checkout:\n    runtime: nodejs\n    secrets: [${secrets.map((spec) => JSON.stringify(spec)).join(', ')}]\n`)
  return dir
}

function cdkGrant(field: string, extra: string[] = []): string[] {
  return ['grant', 'prod/api', '--function', 'checkout', '--secret', 'DB_PASS', '--secret', `DB:${field}`, '--runtime', 'nodejs', '--format', 'cdk', ...PLACED, ...extra]
}

describe('secrets grant: a field name that would end a comment is refused; a generous one is kept', () => {
  it('--format cdk: DB:<LS>... is exit 2 with nothing printed and the name escaped; a printable name reads back as intended', async () => {
    const [refused, plain, generous] = await Promise.all([LS_FIELD, 'password', GENEROUS_FIELD].map((field) => runCli(cdkGrant(field), {env: DEAD_ENDPOINT})))
    expect(refused.stdout).toBe('')
    expect(refused.code).toBe(2)
    expect(refused.stderr).toContain('\\u{2028}process.stdout.write')
    expect(refused.stderr).not.toMatch(RAW_CONTROL)

    // TypeScript's parser finds the same top-level statements as with a plain name: the handler is wholly in comments.
    expect(plain.code).toBe(0)
    expect(generous.code).toBe(0)
    const read = readTypeScript(generous.stdout, false)
    expect(read.errors).toEqual([])
    expect(read.top).toEqual(readTypeScript(plain.stdout, false).top)
    expect(generous.stdout).toContain('db["pass word \\"é\\" 😀 */ # ${x} %{y} \' \\\\"]')
  })

  it.each(['cloudformation', 'sam'])('--format %s from secrets.yml: DB:<NEL>... is exit 2 naming the line; PyYAML reads a printable name\'s output as a plain one\'s', async (format) => {
    const [refused, plain, generous] = await Promise.all(
      [NEL_FIELD, 'password', GENEROUS_FIELD].map((field) => runCli(['grant', '--env', 'prod', '--format', format], {cwd: projectWith(['DB_PASS', `DB:${field}`]), env: DEAD_ENDPOINT})),
    )
    expect(refused.stdout).toBe('')
    expect(refused.code).toBe(2)
    expect(refused.stderr).toMatch(/secrets\.yml:5: Invalid secret "DB:pw\\u\{85\} {2}AdminBackdoor:/)
    expect(refused.stderr).not.toMatch(RAW_CONTROL)

    expect(plain.code).toBe(0)
    expect(generous.code).toBe(0)
    const {yaml} = readWithPython({yaml: [plain.stdout, generous.stdout], python: []})
    expect(yaml[0].error).toBeUndefined()
    expect(yaml[1]).toEqual(yaml[0])
    expect(Object.keys((yaml[0].ok as {Resources: object}[])[0].Resources)).toEqual(format === 'sam' ? ['Checkout'] : ['CheckoutProdSecretsPolicy', 'Checkout'])
  })
})

describe('secrets grant: a rotation schedule from AWS is text, never code or terminal control', () => {
  const SCHEDULE = "rate(1 day)\nprocess.stdout.write('X')//\u001B[2J\u0007\r"
  let aws: FakeAws

  beforeAll(async () => {
    // DescribeSecret answers for every secret that it rotates, on this schedule.
    aws = await startFakeAws((request) => {
      const id = (JSON.parse(request.body) as {SecretId?: string}).SecretId ?? ''
      return {status: 200, type: '', body: JSON.stringify({Name: id, ARN: `arn:aws:secretsmanager:eu-west-1:123456789012:secret:${id}-AbCdEf`, RotationEnabled: true, RotationRules: {ScheduleExpression: SCHEDULE}})}
    })
  })

  afterAll(async () => aws.close())

  it('cdk and terraform: the schedule stays in its comment, escaped; the stderr warning is escaped too', async () => {
    const env = {AWS_ENDPOINT_URL: aws.endpoint, AWS_MAX_ATTEMPTS: '1'}
    const plain = await runCli(cdkGrant('password', ['--max-age', '900']), {env: DEAD_ENDPOINT})
    const result = await runCli(cdkGrant('password', ['--max-age', '900']), {env})
    expect(result.code).toBe(0)
    expect(aws.count('DescribeSecret')).toBeGreaterThan(0)
    const read = readTypeScript(result.stdout, false)
    expect(read.errors).toEqual([])
    expect(read.top).toEqual(readTypeScript(plain.stdout, false).top)
    expect(result.stdout).toContain("// Rotation of /prod/api/DB: schedule rate(1 day)\\u{a}process.stdout.write('X')//\\u{1b}[2J\\u{7}\\u{d}.")
    expect(result.stdout).not.toMatch(RAW_CONTROL)
    expect(result.stderr).toMatch(/^Warning: 2 secrets rotate/)
    expect(result.stderr.replaceAll('\n', '')).not.toMatch(RAW_CONTROL)
    const terraform = ['grant', 'prod/api', '--function', 'checkout', '--secret', 'DB', '--runtime', 'nodejs', '--format', 'terraform', ...PLACED, '--max-age', '900']
    const one = await runCli(terraform, {env})
    expect(one.code).toBe(0)
    expect(await parseHcl('grant.tf', one.stdout)).toEqual(await parseHcl('grant.tf', (await runCli(terraform, {env: DEAD_ENDPOINT})).stdout))
    expect(one.stdout).toContain("# Rotation of /prod/api/DB: schedule rate(1 day)\\u{a}process.stdout.write('X')//\\u{1b}[2J\\u{7}\\u{d}.")
    expect(one.stdout).not.toMatch(RAW_CONTROL)
    // One secret: the warning itself is the notice, schedule included, escaped.
    expect(one.stderr).toContain("Warning: /prod/api/DB rotates (schedule rate(1 day)\\u{a}process.stdout.write('X')//\\u{1b}[2J\\u{7}\\u{d})")
    expect(one.stderr.replaceAll(/\n$/g, '')).not.toMatch(RAW_CONTROL)
  })
})
