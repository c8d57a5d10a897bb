import {ExitCode} from '../core/errors.js'
import {attempter, checkCredentials, checkIdentity, checkRegion, checkScope, checkServices, credentialConflicts, credentialSourceOf, endpointsFor} from './doctor/checks.js'
import type {Check, DoctorEnvironmentsReport, DoctorInput, DoctorReport} from './doctor/types.js'

export type {Check, CheckStatus, DoctorEnvironmentsReport, DoctorInput, DoctorReport} from './doctor/types.js'

/**
 * Every environment of secrets.yml checked in turn (`check` builds each one's ports and runs
 * `runDoctor`; `onChecked` hears each report as it comes); the outcome is the first failing one's.
 */
export async function checkEnvironments(
  file: string,
  names: readonly string[],
  check: (environment: string) => Promise<DoctorReport>,
  onChecked: (environment: string, report: DoctorReport) => void = () => {},
): Promise<DoctorEnvironmentsReport> {
  const environments: DoctorEnvironmentsReport['environments'] = []
  for (const environment of names) {
    const report = await check(environment)
    onChecked(environment, report)
    environments.push({environment, ...report})
  }

  const failed = environments.find((report) => !report.ok)
  return {file, environments, ok: failed === undefined, exitCode: failed?.exitCode ?? ExitCode.ok}
}

/**
 * Checks, in order: where credentials come from and whether they resolve, region, endpoints, who
 * they are (STS GetCallerIdentity), whether Secrets Manager and SSM answer (one cheap read each), and
 * for a scope the read operations the CLI needs, tried on one secret. Doctor writes nothing: the
 * write operations are explained, not tried. Every call's failure becomes a check with a fix; nothing
 * is thrown for an AWS error. The steps are in src/services/doctor/checks.ts.
 */
export async function runDoctor(input: DoctorInput): Promise<DoctorReport> {
  const env = input.env ?? process.env
  const source = credentialSourceOf(input)
  const checks: Check[] = []
  const report: DoctorReport = {credentials: {...source}, endpoints: endpointsFor(env, input.flags.endpointUrl, undefined), checks, ok: true, exitCode: ExitCode.ok}
  if (input.scope) report.scope = input.scope.toString()

  checks.push(...credentialConflicts(source, input.flags.profile, env))
  // 1. Credentials: resolved locally first, so "none" is told apart from "denied" and "unreachable".
  const haveCredentials = await checkCredentials(input.probes, source, report)
  // 2. Region and endpoints ("Region is missing" is reported below).
  const region = await checkRegion(input, env, source, report)
  const attempt = attempter(checks, !haveCredentials ? 'needs credentials (see above)' : region ? undefined : 'needs a region (see above)')
  // 3. Who: the account and ARN the CLI acts as, and the environment's account guard.
  await checkIdentity(input, attempt, report)
  // 4. Do the services answer? One cheap read each.
  await checkServices(input.probes, attempt)
  if (input.scope) await checkScope(input.scope, input, attempt, checks, report)

  const failure = checks.find((check) => check.status === 'fail')
  report.ok = failure === undefined
  report.exitCode = failure?.exitCode ?? ExitCode.ok
  return report
}
