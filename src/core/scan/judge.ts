/**
 * Turns what an extractor read from a template into findings, by audit's rules: the environment and
 * Parameter Store rules (judge-env.ts), the IAM rules (judge-iam.ts) and the rules on secrets' resource
 * policies (judge-secret-policy.ts).
 */
import type {SecretScanner} from '../audit/variables.js'
import type {Extracted} from './entries.js'
import type {ScanFinding} from './findings.js'
import {judgeEnv, judgeParameterEntries} from './judge-env.js'
import {judgePolicies} from './judge-iam.js'
import {judgeSecretPolicies} from './judge-secret-policy.js'

/** Applies every rule to what was read from one file. */
export async function judge(file: string, extracted: Extracted, scan: SecretScanner): Promise<ScanFinding[]> {
  return [...(await judgeEnv(file, extracted, scan)), ...(await judgeParameterEntries(file, extracted, scan)), ...judgePolicies(file, extracted), ...judgeSecretPolicies(file, extracted)]
}
