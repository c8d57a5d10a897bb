import {AWS_LIMITS} from './aws-limits.js'
import {UsageError} from './errors.js'

/** Parses repeated `--tag KEY=VALUE` flags; the first `=` separates key from value. */
export function parseTags(pairs: readonly string[] = []): Record<string, string> {
  const tags: Record<string, string> = {}
  for (const pair of pairs) {
    const at = pair.indexOf('=')
    if (at <= 0) throw new UsageError(`--tag "${pair}" is not KEY=VALUE.`)
    const key = pair.slice(0, at)
    if ([...key].length > AWS_LIMITS.tagKey.max) throw new UsageError(`--tag key "${key.slice(0, 20)}..." is longer than ${AWS_LIMITS.tagKey.max} characters.`)
    tags[key] = pair.slice(at + 1)
  }

  return tags
}
