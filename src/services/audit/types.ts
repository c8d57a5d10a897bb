/** The shapes of `secrets audit`'s report and of what each of its collectors hands back. */
import type pLimit from 'p-limit'

import type {AuditArea, CoverageGap, Finding} from '../../core/audit/findings.js'
import type {SecretScanner} from '../../core/audit/variables.js'

/** What was read: the denominator of "no findings". */
export interface AuditInspected {
  lambdaFunctions: number
  ecsTaskDefinitions: number
  ssmParameters: number
  iamManagedPolicies: number
  iamRoles: number
  iamUsers: number
  /** Secrets whose resource policy was read (iam area). */
  secrets: number
  iamGroups: number
}

export interface AuditReport {
  areas: AuditArea[]
  findings: Finding[]
  gaps: CoverageGap[]
  inspected: AuditInspected
}

export interface AuditOptions {
  areas: readonly AuditArea[]
  /** Defaults to secretlint's recommended preset. */
  scan?: SecretScanner
  /** Parallel DescribeTaskDefinition / GetParameters / GetResourcePolicy calls (default 8). */
  concurrency?: number
  /** Progress for a spinner: names of what is being read, never values. */
  onProgress?: (text: string) => void
}

/** What a collector hands back: its findings, its gaps, and how much it read. */
export interface Collected {
  findings: Finding[]
  gaps: CoverageGap[]
  inspected: Partial<AuditInspected>
}

export type Progress = (text: string) => void
export type Limit = ReturnType<typeof pLimit>
