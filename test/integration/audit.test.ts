import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {type Emulator, startEmulator} from '../helpers/emulator.js'
import {AUDIT_AREAS} from '../../src/core/audit/findings.js'
import {type AuditReport, runAudit} from '../../src/services/audit.js'
import {auditReadersOf, emulatorClients, type ExpectedFinding, PLANTED_VALUES, plantLookAlikes, plantMistakes} from '../fixtures/audit-accounts.js'

// Each account gets its own emulator: the shared one holds other test files' functions and policies,
// and an audit looks at the whole account.
let mistakes: Emulator
let clean: Emulator
let expected: ExpectedFinding[]
let mistakesReport: AuditReport
let cleanReport: AuditReport

beforeAll(async () => {
  ;[mistakes, clean] = await Promise.all([startEmulator(), startEmulator()])
  const [found] = await Promise.all([plantMistakes(emulatorClients(mistakes.endpoint)), plantLookAlikes(emulatorClients(clean.endpoint))])
  expected = found
  ;[mistakesReport, cleanReport] = await Promise.all([
    runAudit(auditReadersOf(emulatorClients(mistakes.endpoint)), {areas: AUDIT_AREAS}),
    runAudit(auditReadersOf(emulatorClients(clean.endpoint)), {areas: AUDIT_AREAS}),
  ])
}, 120_000)

afterAll(async () => {
  await Promise.all([mistakes?.stop(), clean?.stop()])
})

const key = (item: {rule: string; resource: string; item?: string}) => `${item.rule} ${item.resource}${item.item ? ` ${item.item}` : ''}`

describe('an account with every mistake planted', () => {
  it('finds every planted mistake and nothing else', () => {
    expect(mistakesReport.findings.map(key).sort()).toEqual(expected.map(key).sort())
  })

  it('reads every function, task definition family, parameter and policy', () => {
    expect(mistakesReport.gaps).toEqual([])
    expect(mistakesReport.inspected).toMatchObject({lambdaFunctions: 3, ecsTaskDefinitions: 1, ssmParameters: 4, iamUsers: 1})
    expect(mistakesReport.inspected.iamManagedPolicies).toBeGreaterThanOrEqual(4)
  })

  it('rates unencrypted secrets and account-wide grants high, SecureStrings and environment-wide grants medium', () => {
    const severity = (rule: string) => new Set(mistakesReport.findings.filter((item) => item.rule === rule).map((item) => item.severity))
    expect(severity('ssm-plaintext-secret')).toEqual(new Set(['high']))
    expect(severity('ssm-secure-string')).toEqual(new Set(['medium']))
    expect(severity('iam-all-secrets')).toEqual(new Set(['high']))
    expect(severity('iam-whole-environment')).toEqual(new Set(['medium']))
  })

  it('gives each finding a secrets command as its fix, and a policy only a user holds the change that scopes it', () => {
    // A user is not a function: `secrets grant` writes a function's policy, so a user's is scoped where it is.
    const heldByUsers = (item: (typeof mistakesReport.findings)[number]) => item.resourceType === 'iam-user' || item.detail.includes('; held by user ')
    for (const item of mistakesReport.findings) expect(item.fix).toMatch(heldByUsers(item) ? /^a user is not a function \(no grant\): / : /secrets (migrate|grant) /)
    expect(mistakesReport.findings.filter((item) => heldByUsers(item)).map((item) => item.resource)).toEqual(['deployer', `arn:aws:iam::123456789012:policy/api-prod-and-staging`])
    const parameter = mistakesReport.findings.find((item) => item.resource === '/prod/billing/DB_PASSWORD')
    expect(parameter?.fix).toBe('secrets migrate --from-ssm /prod/billing --to prod/billing --only DB_PASSWORD --delete-source')
    const variable = mistakesReport.findings.find((item) => item.resource === 'checkout-prod' && item.item === 'DB_PASSWORD')
    // One fix for the function's two secrets, on each of its findings.
    expect(variable?.fix).toBe(
      'secrets migrate --from-lambda checkout-prod --to prod/checkout && secrets grant prod/checkout --function checkout-prod --secret DB_PASSWORD --secret apiToken --runtime nodejs  # then remove DB_PASSWORD, apiToken from checkout-prod\'s environment',
    )
    const other = mistakesReport.findings.find((item) => item.resource === 'checkout-prod' && item.item === 'apiToken')
    expect(other?.fix).toBe(variable?.fix)
  })

  it('never carries a planted value', () => {
    const text = JSON.stringify(mistakesReport)
    for (const value of PLANTED_VALUES) expect(text).not.toContain(value)
    expect(text).not.toMatch(/ghp_|BEGIN PRIVATE KEY|postgres:\/\//)
  })

  it('inspects only the areas asked for', async () => {
    const report = await runAudit(auditReadersOf(emulatorClients(mistakes.endpoint)), {areas: ['ssm']})
    expect(new Set(report.findings.map((item) => item.area))).toEqual(new Set(['ssm']))
    expect(report.inspected.lambdaFunctions).toBe(0)
  })
})

describe('an account with look-alikes only', () => {
  it('reports nothing', () => {
    expect(cleanReport.findings).toEqual([])
    expect(cleanReport.gaps).toEqual([])
  })

  it('still read everything there was to read', () => {
    expect(cleanReport.inspected).toMatchObject({lambdaFunctions: 2, ecsTaskDefinitions: 1, ssmParameters: 6, iamRoles: 2, iamUsers: 1})
  })
})
