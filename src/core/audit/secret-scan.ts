/**
 * Recognises credentials by their shape with secretlint's recommended preset (AWS secret keys, GitHub,
 * Slack, OpenAI, ... tokens, private keys, URLs and connection strings with passwords). Pure: it
 * reads nothing but the string it is given.
 *
 * What comes back is only the rule and message ids: secretlint's messages quote the match, and a
 * finding must never carry a value.
 */
import type {lintSource as LintSource} from '@secretlint/core'

type SecretLintCoreConfig = Parameters<typeof LintSource>[0]['options']['config']

export interface SecretMatch {
  /** e.g. `@secretlint/secretlint-rule-github`. */
  ruleId: string
  /** e.g. `GITHUB_TOKEN`. */
  messageId: string
}

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
  for (const {name, value} of entries) {
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
    let index = starts.length - 1
    while (index > 0 && starts[index] > message.range[0]) index--
    const matches = results[index]
    if (!matches.some((match) => match.ruleId === message.ruleId && match.messageId === message.messageId)) {
      matches.push({ruleId: message.ruleId, messageId: message.messageId})
    }
  }

  return results
}

/** `@secretlint/secretlint-rule-github` + `GITHUB_TOKEN` -> `github: GITHUB_TOKEN`, for a finding's detail. */
export function describeMatch(match: SecretMatch): string {
  return `${match.ruleId.replace(/^@secretlint\/secretlint-rule-/, '')}: ${match.messageId}`
}
