/** `one` or `many` for a count: `noun(2, 'source')` is `sources`, `noun(1, 'was', 'were')` is `was`. */
export function noun(count: number, one: string, many = `${one}s`): string {
  return count === 1 ? one : many
}

/** The count and its noun: `plural(2, 'secret')` is `2 secrets`. */
export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${noun(count, one, many)}`
}

/**
 * How a hint opens when the plan writes nothing: a dry run speaks of what would happen, a real run
 * of what did (issue 22: a dry run's hint said "the valid items were migrated").
 */
export function nothingWritten(dryRun: boolean): string {
  return dryRun ? 'Nothing would be written' : 'Nothing was written'
}
