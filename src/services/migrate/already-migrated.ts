import {NotFoundError} from '../../core/errors.js'
import {noun} from '../../core/words.js'
import type {SecretStore} from '../../stores/secret-store.js'
import type {MigrationSource, RunInputs} from './types.js'

/*
 * Re-runs: what a finished run leaves (sources removed, secrets tagged with where they came from) must
 * make the same command succeed again, while a typo in --only or in the path still fails.
 */

/**
 * --only names that matched nothing. One the source says was migrated earlier (a secret tagged with
 * its name exists where this run writes) is done, so running a printed fix twice succeeds; any other
 * is an error before anything is written: a typo must not quietly migrate nothing.
 */
export async function unmatchedOnly(store: SecretStore, options: RunInputs, matched: ReadonlySet<string>): Promise<{migrated: string[]}> {
  const unmatched = (options.select?.only ?? []).filter((name) => !matched.has(name))
  if (unmatched.length === 0) return {migrated: []}
  const {source} = options
  const migrated: string[] = []
  const missing: string[] = []
  for (const name of unmatched) {
    if (source.migratedEarlier && (await source.migratedEarlier(store, options, name))) migrated.push(name)
    else missing.push(name)
  }

  if (missing.length > 0) {
    throw new NotFoundError(`--only ${missing.join(', ')}: no such ${source.unmatched.what} ${source.name}; nothing was written or deleted.`, source.unmatched.hint)
  }

  return {migrated}
}

/** The note of a run whose --only named items an earlier run had already migrated and removed. */
export function migratedEarlierNote(source: MigrationSource, migrated: readonly string[]): string {
  return `Nothing left to do for ${migrated.join(', ')}: ${noun(migrated.length, 'it was', 'they were')} migrated earlier (the secret is tagged with ${noun(migrated.length, 'its', 'their')} source) and ${noun(migrated.length, 'is', 'are')} ${source.migratedEarlierWhere}.`
}
