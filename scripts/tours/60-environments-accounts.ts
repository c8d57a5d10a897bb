import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import type {Tour} from '../tour.js'

const PROJECT = `service: payments
environments:
  staging:
    role: arn:aws:iam::222222222222:role/secrets-admin
    region: us-west-2
    account: "222222222222"
    replicaRegions: [eu-west-1]
  prod:
    region: us-east-1
    account: "111111111111"
`

/**
 * Environments are AWS accounts: a secrets.yml gives staging a role in account 222222222222 and its
 * own region; a set in staging lands there, and the account guard refuses prod with the wrong keys.
 * The tour passes the file with --config (a project would keep it at its root, found like git's folder).
 */
export default async function environmentsAccounts(tour: Tour): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'secrets-demo-'))
  const config = join(dir, 'secrets.yml')
  writeFileSync(config, PROJECT)
  tour.section(
    'Environments are AWS accounts',
    `One project file says which account, role, region and replicas each environment uses; commands find it walking up from the working directory (here it is passed with --config):\n\n${PROJECT}`,
  )
  tour.say('staging/payments is written as the staging role: account 222222222222, us-west-2, replicated to eu-west-1.')
  tour.secrets(['set', 'staging/payments', 'STRIPE_KEY', '--config', config], {stdin: 'sk_test_demo_only\n', shownStdin: 'printf "%s\\n" "$STRIPE_KEY"'})
  tour.secrets(['list', 'staging/payments', '--json', '--config', config])
  tour.say('Without the file, the same name is looked up in the default account and region, where it does not exist:')
  tour.secrets(['get', 'staging/payments', 'STRIPE_KEY'], {expect: 3})
  tour.secrets(['doctor', 'staging/payments', '--config', config])

  tour.section('The account guard', 'prod must be account 111111111111. These credentials are the emulator\'s default account, so every write is refused (exit 5) and nothing is written.')
  tour.secrets(['set', 'prod/payments', 'STRIPE_KEY', '--config', config], {stdin: 'sk_live_demo_only\n', shownStdin: 'printf "%s\\n" "$STRIPE_KEY"', expect: 5})
  tour.secrets(['promote', 'staging/payments', 'prod/payments', '--yes', '--config', config], {expect: 5})
}
