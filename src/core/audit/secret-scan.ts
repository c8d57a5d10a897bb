/**
 * Recognises credentials by their shape: secretlint's recommended preset first (AWS keys, GitHub,
 * Slack, OpenAI, ... tokens, private keys, URLs and connection strings with passwords), then the
 * formats it lacks (credential-formats.ts), then a long random string (random-token.ts). Pure: it
 * reads nothing but the strings it is given.
 *
 * What comes back is only the rule and message ids: secretlint's messages quote the match, and a
 * finding must never carry a value.
 */
import type {lintSource as LintSource} from '@secretlint/core'

import {credentialFormatsIn} from './credential-formats.js'
import {hasRandomToken} from './random-token.js'
import {isPlaceholder} from './references.js'

type SecretLintCoreConfig = Parameters<typeof LintSource>[0]['options']['config']

export interface SecretMatch {
  /** e.g. `@secretlint/secretlint-rule-github`, `credential-format`, `random-string`. */
  ruleId: string
  /** e.g. `GITHUB_TOKEN`, `GOOGLE_API_KEY`, `HIGH_ENTROPY`. */
  messageId: string
}

/** The rule id of a format from credential-formats.ts; its message id is the format's. */
export const CREDENTIAL_FORMAT_RULE = 'credential-format'
/** The rule id of a long random string (random-token.ts). */
export const RANDOM_STRING_RULE = 'random-string'

let configPromise: Promise<SecretLintCoreConfig> | undefined

/** secretlint is loaded on first use only: `secrets --help` and every other command never pay for it. */
function loadConfig(): Promise<SecretLintCoreConfig> {
  configPromise ??= import('@secretlint/secretlint-rule-preset-recommend').then(({creator}) => ({
    rules: [
      {
        id: '@secretlint/secretlint-rule-preset-recommend',
        rule: creator,
        rules: [
          // An access key id next to a workload means a long-lived key pair is deployed with it; the
          // account-id check is left off because account ids sit in every ARN and are not secrets.
          {id: '@secretlint/secretlint-rule-aws', options: {enableIDScanRule: true}, allowMessageIds: ['AWSAccountID']},
        ],
      },
    ],
  }))
  return configPromise
}

/**
 * Scans one variable. The source is the synthetic line `NAME=value`, so rules that need the name as
 * context (an AWS secret access key is only recognisable after `AWS_SECRET_ACCESS_KEY=`) work too.
 */
export async function scanForSecrets(name: string, value: string): Promise<SecretMatch[]> {
  if (value.trim().length === 0) return []
  const [matches] = await scanManyForSecrets([{name, value}])
  return matches
}

/**
 * Scans many variables with one secretlint run: one `NAME=value` line each, every finding mapped back
 * to the variable whose line it starts in. secretlint's cost is mostly per run, not per line (measured
 * here: a run per variable took about 5 ms each; twenty variables in one run, under 1 ms in all).
 */
export async function scanManyForSecrets(entries: ReadonlyArray<{name: string; value: string}>): Promise<SecretMatch[][]> {
  const results: SecretMatch[][] = entries.map(() => [])
  const starts: number[] = []
  let content = ''
  // A placeholder with a credential's prefix or shape (`AKIAIOSFODNN7EXAMPLE`, `AIzaXXXX...`) is no
  // live credential: no detector is shown it.
  const shown = entries.map(({name, value}) => ({name, value: isPlaceholder(value) ? '' : value}))
  for (const {name, value} of shown) {
    starts.push(content.length)
    content += `${name}=${value}\n`
  }

  if (content.trim().length === 0) return results
  const [{lintSource}, config] = await Promise.all([import('@secretlint/core'), loadConfig()])
  const result = await lintSource({
    source: {content, filePath: 'audit.env', ext: '.env', contentType: 'text'},
    options: {config, maskSecrets: true, noPhysicFilePath: true},
  })
  for (const message of result.messages) {
    if (placeholderPassword(content.slice(message.range[0], message.range[1]))) continue
    let index = starts.length - 1
    while (index > 0 && starts[index] > message.range[0]) index--
    const matches = results[index]
    if (!matches.some((match) => match.ruleId === message.ruleId && match.messageId === message.messageId)) {
      matches.push({ruleId: message.ruleId, messageId: message.messageId})
    }
  }

  // The formats secretlint lacks, then randomness, speak only where secretlint found nothing: a value
  // is reported once, by the most specific rule that knows it.
  for (const [index, {name, value}] of shown.entries()) {
    if (results[index].length > 0 || value.trim().length === 0) continue
    const formats = credentialFormatsIn(value)
    if (formats.length > 0) results[index] = formats.map((messageId) => ({ruleId: CREDENTIAL_FORMAT_RULE, messageId}))
    else if (hasRandomToken(name, value)) results[index] = [{ruleId: RANDOM_STRING_RULE, messageId: 'HIGH_ENTROPY'}]
  }

  return results
}

/** A URL or connection string whose password is a placeholder (`postgres://app:changeme@db`): no credential. */
function placeholderPassword(matched: string): boolean {
  const password = /^[a-z][a-z0-9+.-]*:\/\/[^\s/?#@:]*:([^\s/?#@]+)@/i.exec(matched)?.[1]
  return password !== undefined && isPlaceholder(password)
}

/** `@secretlint/secretlint-rule-github` + `GITHUB_TOKEN` -> `github: GITHUB_TOKEN`, for a finding's detail. */
export function describeMatch(match: SecretMatch): string {
  return `${match.ruleId.replace(/^@secretlint\/secretlint-rule-/, '')}: ${match.messageId}`
}
