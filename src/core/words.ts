/** `one` or `many` for a count: `noun(2, 'source')` is `sources`, `noun(1, 'was', 'were')` is `was`. */
export function noun(count: number, one: string, many = `${one}s`): string {
  return count === 1 ? one : many
}

/** The count and its noun: `plural(2, 'secret')` is `2 secrets`. */
export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${noun(count, one, many)}`
}
