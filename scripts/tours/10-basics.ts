import type {Tour} from '../tour.js'

/** The everyday commands: set from stdin, get, list, history, rollback, delete, restore. */
export default async function basics(tour: Tour): Promise<void> {
  tour.section(
    'Store a secret',
    'Values come from a hidden prompt, stdin or a file - never from the command line, where shell history and ps would keep them.',
  )
  tour.secrets(['set', 'prod/api', 'DB_PASS', '--description', 'Primary database password'], {
    stdin: 'correct horse battery staple\n',
    shownStdin: 'printf "%s\\n" "$DB_PASS"',
  })
  tour.secrets(['set', 'prod/api', 'STRIPE_KEY'], {stdin: 'sk_test_demo_only\n', shownStdin: 'printf "%s\\n" "$STRIPE_KEY"'})
  tour.secrets(['set', 'prod/api2', 'DB_PASS'], {stdin: 'another service\n', shownStdin: 'echo "$OTHER_PASS"'})
  tour.say('Storing the same value again writes nothing:')
  tour.secrets(['set', 'prod/api', 'DB_PASS'], {stdin: 'correct horse battery staple\n', shownStdin: 'printf "%s\\n" "$DB_PASS"'})
  tour.say('A value typed as an argument is refused before anything is written (exit 2):')
  tour.secrets(['set', 'prod/api', 'DB_PASS', 'hunter2'], {expect: 2})

  tour.section('Read it back', 'A function or script fetches the value at run time into a local variable.')
  tour.secrets(['get', 'prod/api', 'DB_PASS'])
  tour.secrets(['get', 'prod/api', '--all'])

  tour.section('List and history', 'Names and metadata never need a value. prod/api does not show prod/api2.')
  tour.secrets(['list', 'prod/api'])
  tour.secrets(['set', '/prod/api/DB_PASS'], {stdin: 'rotated password\n', shownStdin: 'printf "%s\\n" "$NEW_PASS"'})
  tour.secrets(['history', 'prod/api', 'DB_PASS'])
  tour.say('A bad write is undone by making the previous version current again (no new version; a pipeline must say --yes):')
  tour.secrets(['rollback', 'prod/api', 'DB_PASS', '--yes'])
  tour.secrets(['history', 'prod/api', 'DB_PASS'])

  tour.section('Delete and restore', 'Deletion is scheduled with a recovery window; a pipeline must say --yes.')
  tour.secrets(['delete', 'prod/api', 'STRIPE_KEY'], {expect: 2})
  tour.secrets(['delete', 'prod/api', 'STRIPE_KEY', '--yes', '--recovery-days', '7'])
  tour.secrets(['get', 'prod/api', 'STRIPE_KEY'], {expect: 4})
  tour.secrets(['restore', 'prod/api', 'STRIPE_KEY'])
  tour.secrets(['get', 'prod/api', 'NOPE'], {expect: 3})
}
