import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import type {Tour} from '../tour.js'

/** `secrets migrate`: SSM parameters and a .env file into Secrets Manager, planned, verified, re-runnable. */
export default async function migrateTour(tour: Tour): Promise<void> {
  tour.section(
    'Migrate from SSM Parameter Store',
    'Seed a few parameters the way a legacy app kept them: a String, a StringList and a SecureString.',
  )
  const aws = ['--endpoint-url', tour.endpoint, '--region', 'us-east-1']
  const put = (name: string, type: string, value: string) =>
    tour.shell('aws', ['ssm', 'put-parameter', '--name', name, '--type', type, '--value', value, ...aws], {quiet: true})
  put('/prod/billing/DB_HOST', 'String', 'db.internal:5432')
  put('/prod/billing/ALLOWED_IPS', 'StringList', '10.0.0.1,10.0.0.2')
  put('/prod/billing/DB_PASS', 'SecureString', 'demo-only p@ss=word#1')
  put('/prod/billing/legacy/STRIPE_KEY', 'SecureString', 'sk_test_demo_only')

  tour.say('First the plan, with --dry-run: nothing is written. The deep path is unmapped without --to.')
  tour.secrets(['migrate', '--from-ssm', '/prod/billing', '--dry-run'], {expect: 2})
  tour.say('With --to, every parameter maps to prod/billing/<last segment>. Each write is verified by reading it back.')
  tour.secrets(['migrate', '--from-ssm', '/prod/billing', '--to', 'prod/billing'])
  tour.say('Running it again writes nothing: every item is unchanged (an interrupted run is finished the same way).')
  tour.secrets(['migrate', '--from-ssm', '/prod/billing', '--to', 'prod/billing'])
  tour.secrets(['get', 'prod/billing', 'DB_PASS'])

  tour.section('Migrate a .env file', 'Parsed with dotenv itself: export prefixes, quotes, multi-line values, comments.')
  const dir = mkdtempSync(join(tmpdir(), 'secrets-demo-'))
  const file = join(dir, '.env')
  writeFileSync(
    file,
    [
      '# billing worker settings',
      'export QUEUE_URL=https://sqs.example/queue',
      'SIGNING_KEY="-----BEGIN KEY-----\\nMIIdemo\\n-----END KEY-----"',
      "WEBHOOK_SECRET='whsec demo # not a comment'",
      '',
    ].join('\n'),
  )
  tour.say(`A sample .env in ${file}:`)
  tour.secrets(['migrate', '--from-dotenv', file, '--to', 'prod/worker', '--dry-run'])
  tour.secrets(['migrate', '--from-dotenv', file, '--to', 'prod/worker'])
  tour.say('A key set twice is refused, naming its lines (dotenv alone would silently keep the last one):')
  writeFileSync(file, 'export QUEUE_URL=https://sqs.example/queue-v2\n', {flag: 'a'})
  tour.secrets(['migrate', '--from-dotenv', file, '--to', 'prod/worker'], {expect: 2})
  tour.say('A value that changed is a conflict (exit 4) unless you ask to overwrite; the old value stays as AWSPREVIOUS:')
  writeFileSync(file, 'export QUEUE_URL=https://sqs.example/queue-v2\n')
  tour.secrets(['migrate', '--from-dotenv', file, '--to', 'prod/worker'], {expect: 4})
  tour.secrets(['migrate', '--from-dotenv', file, '--to', 'prod/worker', '--on-conflict', 'overwrite', '--json'], {quiet: true})
  tour.secrets(['get', 'prod/worker', 'QUEUE_URL'])
}
