import {type BenignReason, benignValueReason} from './references.js'
import {describeMatch, type SecretMatch} from './secret-scan.js'
import {secretNameMatch} from './names.js'

/** The verdict on one `NAME=value`: a secret by its value, by its name, or not a secret (and why). */
export type VariableVerdict =
  | {kind: 'secret-value'; matches: SecretMatch[]; detail: string}
  | {kind: 'secret-name'; word: string; detail: string}
  /** A placeholder under a secret's name: the variable is built to carry a secret, none is in it yet. */
  | {kind: 'secret-slot'; word: string; detail: string}
  | {kind: 'clean'; reason: BenignReason | 'not-secret-looking'}

/**
 * The AWS SDK's credential variables. Lambda refuses them (reserved keys) and supplies them from the
 * role, so no function carries one; a stand-in there points an SDK at a local emulator (DynamoDB
 * Local, Step Functions Local), it is no slot for a secret. A real key under them is still reported,
 * by its shape.
 */
const SDK_CREDENTIAL_VARIABLES = new Set(['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN'])

/**
 * Scans values for credential shapes, many at once (one result list per entry); injected so the rules
 * can be tested without secretlint. `scanManyForSecrets` is the real one.
 */
export type SecretScanner = (entries: ReadonlyArray<{name: string; value: string}>) => Promise<SecretMatch[][]>

/**
 * Judges variables or parameters. A value with the shape of a credential is a secret whatever its
 * name; otherwise a secret-sounding name makes it one unless the value is a reference or a flag, and
 * a slot for one when the value is a placeholder (empty, `<...>`, `changeme`, `AKIA...EXAMPLE`).
 * Details name rules and words, never the value.
 */
export async function classifyVariables(
  entries: ReadonlyArray<{name: string; value: string}>,
  scan: SecretScanner,
): Promise<VariableVerdict[]> {
  const benign = entries.map(({value}) => benignValueReason(value))
  // References and flags cannot carry a credential, so the scanner is not even asked about them. A URL
  // without a password still can: a Slack or Discord webhook's path is its credential.
  const scanned = entries.flatMap((_, index) => (benign[index] === undefined || benign[index] === 'url-without-credentials' ? [index] : []))
  const results = scanned.length > 0 ? await scan(scanned.map((index) => entries[index])) : []
  const matchesOf = new Map(scanned.map((index, at) => [index, results[at] ?? []]))
  return entries.map(({name}, index) => {
    const reason = benign[index]
    const matches = matchesOf.get(index) ?? []
    if (matches.length > 0) {
      return {kind: 'secret-value', matches, detail: `value matches ${matches.map(describeMatch).join(', ')}`}
    }

    const word = secretNameMatch(name)
    if ((reason === 'placeholder' || reason === 'empty') && word !== undefined && !SDK_CREDENTIAL_VARIABLES.has(name.toUpperCase())) {
      return {kind: 'secret-slot', word, detail: `name contains ${word} and the value is a placeholder: a slot built for a secret`}
    }

    if (reason !== undefined) return {kind: 'clean', reason}
    if (word !== undefined) {
      return {kind: 'secret-name', word, detail: `name contains ${word} and the value is a literal, not a reference`}
    }

    return {kind: 'clean', reason: 'not-secret-looking'}
  })
}

/** Judges one variable; see `classifyVariables`. */
export async function classifyVariable(name: string, value: string, scan: SecretScanner): Promise<VariableVerdict> {
  const [verdict] = await classifyVariables([{name, value}], scan)
  return verdict
}
