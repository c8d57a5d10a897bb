/**
 * "Did you mean": what a mistyped command gets instead of oclif's "command X not found". The word
 * typed is never printed, since a value pasted where the command belongs would be echoed back
 * (oclif's own message and @oclif/plugin-not-found both quote it). A command is suggested only
 * when the word is close to its name, so the suggestion says nothing about a token that is not a typo.
 */
import {UsageError} from '../core/errors.js'

/** Edit distance with adjacent transpositions counted as one edit (`lsit` is one edit from `list`). */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({length: a.length + 1}, (_, i) => Array.from({length: b.length + 1}, (_, j) => (i === 0 ? j : j === 0 ? i : 0)))
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1)
    }
  }

  return d[a.length][b.length]
}

/**
 * The command a mistyped word most likely meant: within two edits and less than half the command's
 * length (`lst` -> `list`, `promte` -> `promote`), or the one command it begins (`prom` -> `promote`,
 * three letters at least). Undefined when nothing is that close.
 */
export function closestCommand(typed: string, ids: readonly string[]): string | undefined {
  const word = typed.toLowerCase()
  if (!/^[a-z][a-z-]*$/.test(word)) return undefined
  const starting = word.length >= 3 ? ids.filter((id) => id.startsWith(word)) : []
  if (starting.length === 1) return starting[0]
  let best: {id: string; distance: number} | undefined
  for (const id of ids) {
    const distance = editDistance(word, id)
    if (distance <= 2 && distance * 2 < id.length && (best === undefined || distance < best.distance)) best = {id, distance}
  }

  return best?.id
}

/** The error for a first word that is no command: exit 2, the word not shown, a suggestion when one is close. */
export function commandNotFound(typed: string, ids: readonly string[], bin: string): UsageError {
  const suggestion = closestCommand(typed, ids.filter((id) => !id.includes(':')))
  return new UsageError(
    'Unknown command (not shown, in case it is a secret value).',
    `${suggestion ? `Did you mean "${bin} ${suggestion}"? ` : ''}"${bin} --help" lists the commands.`,
  )
}
