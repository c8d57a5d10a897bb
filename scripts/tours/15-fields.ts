import type {Tour} from '../tour.js'

/** Key/value secrets (a JSON object, as RDS keeps its credentials): field names, one field read, one field written. */
export default async function fields(tour: Tour): Promise<void> {
  tour.section(
    'Key/value secrets',
    'A secret can be a JSON object of fields, as RDS and the console\'s key/value type store them. Field names are\n' +
      'not secret; one field can be read raw for a shell, and one written while every other byte stays.',
  )
  tour.secrets(['set', 'prod/orders', 'DB'], {
    stdin: '{"username":"orders","password":"demo-only-first","host":"orders.db.internal","port":5432}',
    shownStdin: 'printf %s "$DB_JSON"',
  })
  tour.secrets(['fields', 'prod/orders', 'DB'])
  tour.say('Rotate the password field only (the new value comes from stdin, never the command line):')
  tour.secrets(['set', 'prod/orders', 'DB', '--field', 'password'], {stdin: 'demo-only-second\n', shownStdin: 'printf "%s\\n" "$NEW_DB_PASSWORD"'})
  tour.secrets(['get', 'prod/orders', 'DB', '--field', 'host'])
  tour.say('Every read sees the new field, one secret or the whole scope:')
  tour.secrets(['get', 'prod/orders', '--all'])
}
