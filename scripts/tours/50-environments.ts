import {spawnSync} from 'node:child_process'
import {fileURLToPath} from 'node:url'

import type {Tour} from '../tour.js'

const BIN = fileURLToPath(new URL('../../bin/run.js', import.meta.url))

/** Between environments: diff, promote (dry run, then for real), diff again, and doctor. */
export default async function environments(tour: Tour): Promise<void> {
  tour.section(
    'Between environments',
    'staging/api has everything prod/api has, plus two keys added during testing. Which are missing in prod? Values are compared by SHA-256 inside the CLI and never shown.',
  )
  // Staging starts as a copy of prod (whatever the earlier tours left there), read here without
  // printing it, plus two new keys.
  const prod = spawnSync(process.execPath, [BIN, 'get', 'prod/api', '--all'], {env: tour.env, encoding: 'utf8'})
  if (prod.status !== 0) throw new Error(`demo step failed: reading prod/api exited ${prod.status}`)
  for (const [name, value] of Object.entries(JSON.parse(prod.stdout) as Record<string, string>)) {
    tour.secrets(['set', 'staging/api', name], {stdin: value, shownStdin: `printf %s "$${name}"`, quiet: true})
  }

  tour.secrets(['set', 'staging/api', 'FEATURE_FLAGS_KEY'], {stdin: 'ff_demo_key\n', shownStdin: 'printf "%s\\n" "$FEATURE_FLAGS_KEY"'})
  tour.secrets(['set', 'staging/api', 'SENTRY_DSN'], {stdin: 'https://public@sentry.example/1\n', shownStdin: 'printf "%s\\n" "$SENTRY_DSN"'})
  tour.say('diff exits 8 when the two differ, so a pipeline can gate a deploy on it:')
  tour.secrets(['diff', 'staging/api', 'prod/api'], {expect: 8})

  tour.section('Promote', 'A plan first, with names only; --dry-run stops there.')
  tour.secrets(['promote', 'staging/api', 'prod/api', '--dry-run'])
  tour.say('Without a terminal to confirm on, a pipeline must say --yes. Each copy is read back and compared:')
  tour.secrets(['promote', 'staging/api', 'prod/api'], {expect: 2})
  tour.secrets(['promote', 'staging/api', 'prod/api', '--yes'])
  tour.say('Run again, nothing to do; and the environments are now in step:')
  tour.secrets(['promote', 'staging/api', 'prod/api', '--yes', '--quiet'])
  tour.secrets(['diff', 'staging/api', 'prod/api'])

  tour.section('A changed value is a conflict', 'When prod holds another value, promote writes nothing unless told how (--on-conflict skip or overwrite): exit 4.')
  tour.secrets(['set', 'staging/api', 'SENTRY_DSN'], {stdin: 'https://public@sentry.example/2\n', shownStdin: 'printf "%s\\n" "$NEW_SENTRY_DSN"'})
  tour.secrets(['promote', 'staging/api', 'prod/api', '--yes'], {expect: 4})
  tour.secrets(['promote', 'staging/api', 'prod/api', '--on-conflict', 'overwrite', '--yes', '--quiet'])

  tour.section('Doctor', 'Who am I, where, and may I? Credentials source, account, region, endpoint, and the reads the CLI needs on prod/api. Never a credential.')
  tour.secrets(['doctor', 'prod/api'])
}
