/**
 * The resource-policy rules: a secret's policy that lets anyone, or another account, read its value
 * with no Condition that limits who. The judgement is audit's (core/audit/resource-policy.ts); a
 * template does not know the account it deploys to, so a literal account id counts as another one.
 */
import {describeOpening, openingChange, policyOpenings} from '../audit/resource-policy.js'
import type {Extracted} from './entries.js'
import {type ScanFinding, scanFinding} from './findings.js'

export function judgeSecretPolicies(file: string, {format, secretPolicies = []}: Extracted): ScanFinding[] {
  const findings: ScanFinding[] = []
  for (const entry of secretPolicies) {
    const openings = policyOpenings(entry.statements.map((item) => item.statement))
    for (const kind of ['public', 'other-account'] as const) {
      const mine = openings.filter((opening) => opening.kind === kind)
      if (mine.length === 0) continue
      const first = entry.statements.find((item, index) => (item.statement.Sid || `#${index + 1}`) === mine[0].statement)
      // BlockPublicPolicy makes Secrets Manager refuse a public policy: the deployment fails instead of opening the secret.
      const blocked = kind === 'public' && entry.blockPublicPolicy === true ? '; BlockPublicPolicy is true, so Secrets Manager refuses it and the deployment fails' : ''
      findings.push(
        scanFinding({
          file,
          format,
          ...(first?.position ?? entry.position),
          rule: kind === 'public' ? 'secret-policy-public' : 'secret-policy-other-account',
          resource: entry.resource,
          variable: mine.map((opening) => opening.statement).join(', '),
          reason: `${entry.secret === undefined ? 'the resource policy' : `the resource policy of ${entry.secret}`}: ${mine.map((opening) => describeOpening(opening)).join('; ')}${blocked}`,
          fix: {change: mine.map((opening) => openingChange(opening)).join(' ')},
        }),
      )
    }
  }

  return findings
}
