import {describe, expect, it} from 'vitest'

import {runCli, useOwnEmulator} from '../helpers/cli.js'

// The --all-functions cases name an account-wide run: the helper wants them on an emulator of their own,
// although a refused run calls nothing.
await useOwnEmulator()

/**
 * Each source refuses the flags it cannot take, with exit 2 and the same words, before any call
 * (the file named by --from-dotenv does not even exist). The refusals live in the source modules
 * (services/migrate/sources/); this table holds them to what the command has always said.
 */
const REFUSALS: Array<[string, string[], string]> = [
  ['--format with SSM', ['--from-ssm', '/prod/billing', '--format', 'sam'], '--format is for --from-lambda and --from-ecs: it picks the format of the grant printed after the run.'],
  ['--remove-from-source with SSM', ['--from-ssm', '/prod/billing', '--remove-from-source'], 'For SSM parameters, use --delete-source.'],
  ['--format with .env', ['--from-dotenv', 'absent.env', '--to', 'prod/api', '--format', 'sam'], '--format is for --from-lambda and --from-ecs'],
  ['--remove-from-source with .env', ['--from-dotenv', 'absent.env', '--to', 'prod/api', '--remove-from-source'], 'A .env file is never modified: delete it yourself once the migration is verified.'],
  ['.env without --to', ['--from-dotenv', 'absent.env'], '--from-dotenv needs --to ENV/SERVICE: a .env file does not say where its keys belong.'],
  ['--type with .env', ['--from-dotenv', 'absent.env', '--to', 'prod/api', '--type', 'String'], '--type is for SSM only; .env entries have no type.'],
  ['--delete-source with .env', ['--from-dotenv', 'absent.env', '--to', 'prod/api', '--delete-source'], '--delete-source is for SSM only; a .env file is never modified or deleted.'],
  ['a function without --to', ['--from-lambda', 'orders-api-prod'], 'For example: secrets migrate --from-lambda orders-api-prod --to prod/orders-api'],
  ['--type with a function', ['--from-lambda', 'billing', '--to', 'prod/billing', '--type', 'String'], '--type is for SSM only; --from-lambda takes what the audit calls a secret'],
  ['--delete-source with a function', ['--from-lambda', 'billing', '--to', 'prod/billing', '--delete-source'], 'To take the migrated variables out of the live function, use --remove-from-source.'],
  ['--delete-source with a family', ['--from-ecs', 'worker', '--to', 'prod/worker', '--delete-source'], "Remove the migrated entries from its template's environment"],
  ['--remove-from-source with a family', ['--from-ecs', 'worker', '--to', 'prod/worker', '--remove-from-source'], 'a task definition revision cannot be changed'],
  ['--all-functions with a scope', ['--all-functions', '--to', 'prod/billing'], '--all-functions needs --to ENV (an environment alone)'],
  ['--type with --all-functions', ['--all-functions', '--to', 'prod', '--type', 'String'], '--type is for SSM only; --all-functions takes what the audit calls a secret'],
  ['--delete-source with --all-functions', ['--all-functions', '--to', 'prod', '--delete-source'], '--delete-source is for --from-ssm; --all-functions is never modified by it.'],
  ['--prefix without --all-functions', ['--from-ssm', '/prod/billing', '--prefix', 'prod-'], '--prefix and --tag are for --all-functions: they pick which functions it takes.'],
]

describe('migrate refuses what its source cannot take', () => {
  it.each(REFUSALS)('%s: exit 2, before any call', async (_label, args, words) => {
    const result = await runCli(['migrate', ...args])
    expect(result.code).toBe(2)
    expect(result.stderr.replaceAll(/\s+/g, ' ')).toContain(words)
  })
})
