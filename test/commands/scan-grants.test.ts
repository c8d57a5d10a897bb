import {describe, expect, it} from 'vitest'

import type {PolicyDocument} from '../../src/core/iam-policy.js'
import {evaluate, secretArn} from '../fixtures/grant-evaluator.js'
import {parseCfnYaml} from '../fixtures/grant-parsers.js'
import {ROOT, runCli} from '../helpers/cli.js'
import {OFFLINE_ENV} from '../helpers/scan.js'

const OFFLINE = OFFLINE_ENV
const GET = 'secretsmanager:GetSecretValue'
const AT = {region: 'eu-west-1', account: '123456789012'}

describe('the grant commands scan prints', () => {
  it('print, when run, a policy the IAM evaluator allows for exactly that secret', async () => {
    const scan = await runCli(['scan', 'test/fixtures/scan', '--json'], {env: OFFLINE, cwd: ROOT})
    const {findings} = JSON.parse(scan.stdout) as {findings: Array<{rule: string; fix: {grant?: string}}>}
    // An environment's fix may grant several functions (a Serverless provider.environment reaches every
    // one): each grant is run. Concrete grants only: a fix with a placeholder (ENV, SERVICE, NAME, STAGE)
    // is for the user to fill in, and a grant --id of a secret outside the scheme looks its ARN up in AWS
    // (grant's own tests cover it).
    const printed = findings.flatMap((item) => (item.fix.grant === undefined ? [] : item.rule.startsWith('env-') ? item.fix.grant.split('; ') : [item.fix.grant]))
    const grants = [...new Set(printed.filter((grant) => !/\b(ENV|SERVICE|NAME|FUNCTION|STAGE)\b|;| --id /.test(grant)))]
    expect(grants.length).toBeGreaterThanOrEqual(10)
    // A Serverless function deployed under another name than its key: the block merges under its key.
    expect(grants).toContain('secrets grant staging/hooks --function hooks-staging-jobs --function-key worker --secret SIGNING_SECRET --format serverless --runtime nodejs')
    const evaluated = new Set<string>()
    for (const grant of grants) {
      const words = grant.split(' ')
      expect(words.slice(0, 2)).toEqual(['secrets', 'grant'])
      const scope = words[2]
      const secret = words[words.indexOf('--secret') + 1]
      const format = words.indexOf('--format')
      // As printed, in the template's own format (CloudFormation and SAM leave account and region to pseudo-parameters).
      const own = words[format + 1]
      const placed = own === 'cloudformation' || own === 'sam' ? [] : ['--account', AT.account, '--region', AT.region]
      const asPrinted = await runCli([...words.slice(1), ...placed], {env: OFFLINE, cwd: ROOT})
      expect(asPrinted.code, `${grant}: ${asPrinted.stderr}`).toBe(0)
      expect(asPrinted.stdout).toContain(secret)
      const functionKey = words.indexOf('--function-key')
      if (own === 'serverless') {
        const {functions} = parseCfnYaml(asPrinted.stdout) as {functions: Record<string, unknown>}
        expect(Object.keys(functions), grant).toEqual([words[functionKey === -1 ? words.indexOf('--function') + 1 : functionKey + 1]])
      }

      // JSON, the format the evaluator reads: the template formats render the same statements (grant's own tests).
      // Grants that differ only in format or runtime print the same statements: each is evaluated once.
      const args = [...words.slice(1, format).filter((word, index, all) => word !== '--function-key' && all[index - 1] !== '--function-key'), '--format', 'json', '--account', AT.account, '--region', AT.region]
      const key = args.join(' ')
      if (evaluated.has(key)) continue
      evaluated.add(key)
      const result = await runCli(args, {env: OFFLINE, cwd: ROOT})
      expect(result.code, `${grant}: ${result.stderr}`).toBe(0)
      const policy = JSON.parse(result.stdout) as PolicyDocument
      expect(await evaluate(policy, GET, secretArn(`/${scope}/${secret}`, AT)), grant).toBe('Allowed')
      expect(await evaluate(policy, GET, secretArn(`/${scope}/${secret}_OLD`, AT)), grant).toBe('ImplicitlyDenied')
      expect(await evaluate(policy, GET, secretArn(`/${scope}/OTHER_SECRET`, AT)), grant).toBe('ImplicitlyDenied')
    }
  }, 300_000)
})
