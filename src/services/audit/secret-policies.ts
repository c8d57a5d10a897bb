/**
 * The resource policies of the region's secrets, for audit's `iam` area: ListSecrets, then one
 * GetResourcePolicy per secret, side by side under the audit's concurrency limit and the client's
 * pacing (src/aws/quotas.ts). Never GetSecretValue: a policy is judged by its text alone.
 */
import type {CoverageGap} from '../../core/audit/findings.js'
import {inspectSecretPolicies, type SecretPolicyInput} from '../../core/audit/resource-policy.js'
import {NotFoundError} from '../../core/errors.js'
import type {SecretPolicyReader, SecretSummary} from '../../core/readers.js'
import {guarded, guardedPages} from './guarded.js'
import type {Collected, Limit, Progress} from './types.js'

const READ_POLICY = 'secretsmanager:GetResourcePolicy'

/** The account of a secret ARN (`arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME-xxxxxx`). */
const accountOf = (arn: string | undefined) => (arn === undefined ? undefined : /^\d{12}$/.test(arn.split(':')[4] ?? '') ? arn.split(':')[4] : undefined)

export async function collectSecretPolicies(reader: SecretPolicyReader, limit: Limit, progress: Progress): Promise<Collected> {
  const gaps: CoverageGap[] = []
  const secrets: SecretSummary[] = []
  const pages = guardedPages(gaps, {area: 'iam', action: 'secretsmanager:ListSecrets'}, reader.secrets(), () => progress(`Reading secrets (${secrets.length} so far)`))
  for await (const page of pages) secrets.push(...page)

  let read = 0
  const denied: CoverageGap[] = []
  const policies = await Promise.all(
    secrets.map((secret) =>
      limit(async (): Promise<SecretPolicyInput | undefined> => {
        progress(`Reading secrets' resource policies (${read}/${secrets.length})`)
        // Undefined: no policy, denied (a gap), or deleted since it was listed (nothing left to judge).
        const policy = await guarded(denied, {area: 'iam', action: READ_POLICY, resource: secret.name}, () =>
          reader.resourcePolicy(secret.arn ?? secret.name).catch((error: unknown) => {
            if (error instanceof NotFoundError) return undefined
            throw error
          }),
        )
        read++
        return policy === undefined ? undefined : {name: secret.name, account: accountOf(secret.arn), policy}
      }),
    ),
  )
  // Denied on every secret is one missing permission, said once; denied on some, each is named.
  if (denied.length > 1 && denied.length === secrets.length) gaps.push({area: 'iam', action: READ_POLICY, reason: `${denied[0].reason} on all ${secrets.length} secrets`})
  else gaps.push(...denied)

  const {findings, unreadable} = inspectSecretPolicies(policies.filter((policy): policy is SecretPolicyInput => policy !== undefined))
  for (const name of unreadable) gaps.push({area: 'iam', action: READ_POLICY, resource: name, reason: 'the policy is not valid JSON'})
  return {findings, gaps, inspected: {secrets: secrets.length - new Set(denied.map((gap) => gap.resource)).size}}
}
