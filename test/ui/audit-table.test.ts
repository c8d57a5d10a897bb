import {describe, expect, it} from 'vitest'

import {finding, type Finding} from '../../src/core/audit/findings.js'
import {lambdaFunctionFix} from '../../src/core/audit/fixes.js'
import {auditVerdict} from '../../src/core/verdicts.js'
import type {AuditInspected} from '../../src/services/audit.js'
import {auditResult, renderAudit} from '../../src/ui/render/audit.js'

const INSPECTED: AuditInspected = {lambdaFunctions: 2, ecsTaskDefinitions: 0, ssmParameters: 0, iamManagedPolicies: 0, iamRoles: 0, iamUsers: 0, iamGroups: 0, secrets: 0}

const variable = (rule: 'env-secret-name' | 'env-secret-value', resource: string, item: string, fix: string): Finding =>
  finding(rule, {resourceType: 'lambda-function', resource, item, detail: `${item} is a secret`, fix})

// billing-prod's two secrets share one fix; rows are sorted by rule, so checkout-prod's row comes between them.
const BILLING_FIX = lambdaFunctionFix('billing-prod', ['DB_PASSWORD', 'STRIPE_KEY'], 'python3.12')
const CHECKOUT_FIX = lambdaFunctionFix('checkout-prod', ['API_TOKEN'], 'nodejs20.x')
const FINDINGS = [
  variable('env-secret-value', 'billing-prod', 'STRIPE_KEY', BILLING_FIX),
  variable('env-secret-name', 'checkout-prod', 'API_TOKEN', CHECKOUT_FIX),
  variable('env-secret-name', 'billing-prod', 'DB_PASSWORD', BILLING_FIX),
]
const verdict = () => auditVerdict({report: {areas: ['env'], findings: FINDINGS, gaps: [], inspected: INSPECTED}, actions: ['lambda:ListFunctions'], nothingInspected: false})

describe("audit's table of a fix shared by a workload's findings", () => {
  it('prints the fix once, and names the row that carries it where another workload comes between', () => {
    const rows = renderAudit(verdict().result).split('\n')
    const row = (resource: string, item: string) => rows.find((line) => new RegExp(`^high +lambda:${resource} +${item} `).test(line)) ?? ''
    expect(rows.indexOf(row('billing-prod', 'DB_PASSWORD'))).toBeLessThan(rows.indexOf(row('checkout-prod', 'API_TOKEN')))
    expect(rows.indexOf(row('checkout-prod', 'API_TOKEN'))).toBeLessThan(rows.indexOf(row('billing-prod', 'STRIPE_KEY')))
    expect(row('billing-prod', 'DB_PASSWORD')).toContain(BILLING_FIX)
    expect(row('checkout-prod', 'API_TOKEN')).toContain(CHECKOUT_FIX)
    expect(row('billing-prod', 'STRIPE_KEY')).toMatch(/ \(the same fix as for lambda:billing-prod DB_PASSWORD above\)$/)
    expect(rows.filter((line) => line.includes(BILLING_FIX))).toHaveLength(1)
  })

  it('keeps the whole fix on every finding of --json', () => {
    const {json} = auditResult(verdict())
    const fixes = Object.fromEntries((json as {findings: Finding[]}).findings.map((item) => [item.item, item.fix]))
    expect(fixes).toEqual({DB_PASSWORD: BILLING_FIX, API_TOKEN: CHECKOUT_FIX, STRIPE_KEY: BILLING_FIX})
  })
})
