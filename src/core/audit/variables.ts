import {type BenignReason, benignValueReason} from './references.js'
import {describeMatch, type SecretMatch} from './secret-scan.js'
import {secretNameMatch} from './names.js'

/** The verdict on one `NAME=value`: a secret by its value, by its name, or not a secret (and why). */
export type VariableVerdict =
  | {kind: 'secret-value'; matches: SecretMatch[]; detail: string}
  | {kind: 'secret-name'; word: string; detail: string}
  | {kind: 'clean'; reason: BenignReason | 'not-secret-looking'}

/** Scans a value for credential shapes; injected so the rules can be tested without secretlint. */
export type SecretScanner = (name: string, value: string) => Promise<SecretMatch[]>

/**
 * Judges one variable or parameter. A value with the shape of a credential is a secret whatever its
 * name; otherwise a secret-sounding name makes it one unless the value is a reference or a flag.
 * The detail names rules and words, never the value.
 */
export async function classifyVariable(name: string, value: string, scan: SecretScanner): Promise<VariableVerdict> {
  const benign = benignValueReason(value)
  // References and flags cannot carry a credential, so secretlint is not even asked about them.
  const matches = benign === undefined ? await scan(name, value) : []
  if (matches.length > 0) {
    return {kind: 'secret-value', matches, detail: `value matches ${matches.map(describeMatch).join(', ')}`}
  }

  if (benign !== undefined) return {kind: 'clean', reason: benign}
  const word = secretNameMatch(name)
  if (word !== undefined) {
    return {kind: 'secret-name', word, detail: `name contains ${word} and the value is a literal, not a reference`}
  }

  return {kind: 'clean', reason: 'not-secret-looking'}
}
