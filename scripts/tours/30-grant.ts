import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import type {Tour} from '../tour.js'

/** `secrets grant`: the exact IAM a function needs, in the format the team deploys with. */
export default async function grant(tour: Tour): Promise<void> {
  tour.section(
    'Grant a function exactly its secrets',
    'No "/*" that lets every function read everything: GetSecretValue on the named secrets of one environment and one service.\n' +
      'Each ARN ends in -?????? (the six random characters AWS appends), so DB_PASS never matches DB_PASS-OLD. Only the document goes to stdout.',
  )
  tour.secrets(['grant', 'prod/api', '--function', 'checkout', '--secret', 'DB_PASS', '--secret', 'STRIPE_KEY'])
  tour.say('The account came from STS and the region from the AWS configuration. The same grant for Terraform:')
  tour.secrets(['grant', 'prod/api', '--function', 'checkout', '--secret', 'DB_PASS', '--format', 'terraform'])

  tour.section(
    'Declared needs',
    'A repository can say which function needs which secret in secrets.yml; grant then emits one policy per function,\nand --check fails a deploy (exit 3) when a declared secret does not exist in the target environment.',
  )
  const dir = mkdtempSync(join(tmpdir(), 'secrets-demo-'))
  try {
    const manifest = join(dir, 'secrets.yml')
    writeFileSync(manifest, 'service: api\nfunctions:\n  checkout: [DB_PASS, STRIPE_KEY]\n  worker:   [DB_PASS]\n')
    tour.say('secrets.yml:\n  service: api\n  functions:\n    checkout: [DB_PASS, STRIPE_KEY]\n    worker:   [DB_PASS]')
    tour.secrets(['grant', '--manifest', manifest, '--env', 'prod', '--check'])
    tour.secrets(['grant', '--manifest', manifest, '--env', 'staging', '--check'], {expect: 3})
    tour.secrets(['grant', '--manifest', manifest, '--env', 'prod', '--format', 'sam', '--function', 'worker'])
  } finally {
    rmSync(dir, {recursive: true, force: true})
  }
}
