/**
 * Commands that page through a listing, against an endpoint whose listing never ends
 * (test/helpers/endless-aws.ts): one item a page and a token saying there is more, either the same
 * token again (`repeat`) or a fresh one forever (`fresh`). Each command must end: on the repeated
 * token, at the page cap (SECRETS_TEST_MAX_PAGES makes it 20 pages here), or at the first SIGTERM.
 */
import {describe, expect, it} from 'vitest'

import type {FakeAws} from '../safety/fake-aws.js'
import {runCli, startCli} from '../helpers/cli.js'
import {type EndlessMode, startEndlessAws} from '../helpers/endless-aws.js'

const CAP = 20

/** A command, and the one listing the endpoint never ends for it (the others end after one page). */
interface Case {
  label: string
  args: string[]
  /** The listing's IAM action, as the error names it. */
  action: string
  /** Its operation, as the endpoint sees it (Lambda's carries its query). */
  operation: RegExp
}

const LIST_SECRETS = {action: 'secretsmanager:ListSecrets', operation: /^secretsmanager\.ListSecrets$/}
const BY_PATH = {action: 'ssm:GetParametersByPath', operation: /^AmazonSSM\.GetParametersByPath$/}
const LIST_FUNCTIONS = {action: 'lambda:ListFunctions', operation: /^GET \/2015-03-31\/functions\?/}

// --type SecureString selects none of the endpoint's String parameters: the run only lists.
const STREAMED = ['migrate', '--from-ssm', '/endless/app', '--type', 'SecureString']
const WHOLE = ['migrate', '--from-ssm', '/endless/app', '--to', 'endless/app', '--type', 'SecureString']

const CASES: Case[] = [
  {label: 'list', args: ['list', 'endless/secrets'], ...LIST_SECRETS},
  {label: 'get --all', args: ['get', 'endless/secrets', '--all'], ...LIST_SECRETS},
  {label: 'audit (Lambda)', args: ['audit'], ...LIST_FUNCTIONS},
  {label: 'audit (ECS)', args: ['audit'], action: 'ecs:ListTaskDefinitionFamilies', operation: /^AmazonEC2ContainerServiceV20141113\.ListTaskDefinitionFamilies$/},
  {label: 'audit (SSM)', args: ['audit'], action: 'ssm:DescribeParameters', operation: /^AmazonSSM\.DescribeParameters$/},
  {label: 'audit (IAM)', args: ['audit'], action: 'iam:GetAccountAuthorizationDetails', operation: /^GetAccountAuthorizationDetails$/},
  {label: 'audit (secrets)', args: ['audit'], ...LIST_SECRETS},
  {label: 'migrate --all-functions', args: ['migrate', '--all-functions', '--to', 'endless'], ...LIST_FUNCTIONS},
  {label: 'migrate --from-ssm, streamed (the parameters)', args: STREAMED, ...BY_PATH},
  {label: 'migrate --from-ssm, streamed (the secrets already there)', args: STREAMED, ...LIST_SECRETS},
  {label: 'migrate --from-ssm --to, the whole listing first', args: WHOLE, ...BY_PATH},
]

/** The endless endpoint for one case: only its listing never ends. */
function endpointFor(mode: EndlessMode, operation: RegExp): Promise<FakeAws> {
  return startEndlessAws(mode, (seen) => operation.test(seen))
}

describe('a listing that never ends', () => {
  it.each(CASES)('$label stops on a page token it was given before, with exit 6, after 2 pages', async ({args, action, operation}) => {
    const fake = await endpointFor('repeat', operation)
    try {
      const result = await runCli(args, {env: {AWS_ENDPOINT_URL: fake.endpoint, SECRETS_TEST_MAX_PAGES: String(CAP)}, timeoutMs: 30_000})
      // Before: it paged forever (killed by the guard: exit null), asking for the same page again and again.
      expect(result.code, result.stderr).toBe(6)
      expect(result.stderr).toContain(`Error: AWS answered ${action} with a page token it had given before (page 2): the listing would go round forever, so it was stopped.`)
      expect(result.stderr).toContain('Hint: AWS does not page this way: check --endpoint-url (or AWS_ENDPOINT_URL)')
      expect(result.stderr).not.toMatch(/Warning|^\s{4}at /m)
      expect(fake.count(operation)).toBe(2)
    } finally {
      await fake.close()
    }
  })

  it.each(CASES)('$label stops at the page cap on fresh tokens forever, with exit 6', async ({args, action, operation}) => {
    const fake = await endpointFor('fresh', operation)
    try {
      const result = await runCli(args, {env: {AWS_ENDPOINT_URL: fake.endpoint, SECRETS_TEST_MAX_PAGES: String(CAP)}, timeoutMs: 30_000})
      // Before: it paged forever (killed by the guard: exit null).
      expect(result.code, result.stderr).toBe(6)
      expect(result.stderr).toContain(`Error: ${action} was still paging after ${CAP} pages, more than the largest account can fill (SECRETS_TEST_MAX_PAGES, a bound for tests), so the listing was stopped.`)
      // One signal for the whole listing: no abort listener is left behind per page (Node warns past 10).
      expect(result.stderr).not.toMatch(/Warning|^\s{4}at /m)
      expect(fake.count(operation)).toBe(CAP)
    } finally {
      await fake.close()
    }
  })
})

describe('the first signal during a listing that never ends', () => {
  // migrate answers the first SIGINT or SIGTERM itself (finish the writes in flight, then report):
  // the listing must stop on it. No page cap here: only the signal can end these runs.
  const MIGRATE_CASES = CASES.filter(({label}) => label.startsWith('migrate'))

  it.each(MIGRATE_CASES)('$label: SIGTERM stops the listing and the run reports, exit 143', async ({label, args, operation}) => {
    const fake = await endpointFor('fresh', operation)
    try {
      const run = startCli(args, {env: {AWS_ENDPOINT_URL: fake.endpoint}, timeoutMs: 30_000})
      // A point in the run, not a delay: the listing has asked for 50 pages.
      await fake.reached(50, operation)
      run.kill('SIGTERM')
      const result = await run.result
      // Before: "Stopping (SIGTERM)" and paging on until the guard's SIGKILL (exit null).
      expect(result.code, result.stderr).toBe(143)
      expect(result.stderr).toContain('Stopping (SIGTERM)')
      expect(result.stdout).toContain('Interrupted before the listing ended')
      expect(result.stderr).toContain('Hint: Run the same command again to finish')
      // The streamed plan says so before its first page; the other runs list before they plan.
      expect(result.stdout.includes('page by page as it is listed'), result.stdout).toBe(label.includes('streamed (the parameters)'))
    } finally {
      await fake.close()
    }
  })

  it('SIGINT stops it too, exit 130, and --json has the report', async () => {
    const fake = await endpointFor('fresh', BY_PATH.operation)
    try {
      const run = startCli([...WHOLE, '--json'], {env: {AWS_ENDPOINT_URL: fake.endpoint}, timeoutMs: 30_000})
      await fake.reached(50, BY_PATH.operation)
      run.kill('SIGINT')
      const result = await run.result
      expect(result.code, result.stderr).toBe(130)
      expect(JSON.parse(result.stdout)).toMatchObject({interrupted: true, exitCode: 130, items: [], summary: 'Interrupted before the listing ended: 0 items.'})
    } finally {
      await fake.close()
    }
  })
})
