import {GetRandomPasswordCommand, PutSecretValueCommand, type SecretsManagerClient, UpdateSecretVersionStageCommand} from '@aws-sdk/client-secrets-manager'

import {translateAwsError} from '../aws/errors.js'
import {SecretsError} from '../core/errors.js'
import {SecretValue} from '../core/secret-value.js'
import {CURRENT_STAGE, type PasswordOptions, PENDING_STAGE, type SwapResult} from './secret-store.js'
import {payload} from './secrets-manager-mapping.js'

/**
 * Secrets Manager has no conditional put, but UpdateSecretVersionStage is a compare-and-swap on a
 * stage: moving AWSCURRENT with RemoveFromVersionId fails ("Version stage AWSCURRENT not found in
 * version ...", InvalidParameterException; the emulator answers the same) when AWSCURRENT is no
 * longer on that version. So the new version is put under PENDING_STAGE only (readers of AWSCURRENT
 * never see it), then AWSCURRENT is moved onto it from the version read; the label is taken off
 * afterwards either way.
 */
export async function swapCurrent(client: SecretsManagerClient, name: string, value: SecretValue, expectedVersionId: string): Promise<SwapResult> {
  let versionId: string
  try {
    const put = await client.send(new PutSecretValueCommand({SecretId: name, ...payload(value), VersionStages: [PENDING_STAGE]}))
    versionId = put.VersionId ?? ''
  } catch (error) {
    throw translateAwsError(error, {action: 'secretsmanager:PutSecretValue', resource: name, value})
  }

  try {
    await client.send(new UpdateSecretVersionStageCommand({SecretId: name, VersionStage: CURRENT_STAGE, MoveToVersionId: versionId, RemoveFromVersionId: expectedVersionId}))
  } catch (error) {
    const dropped = await dropPendingLabel(client, name, versionId)
    if (isStageMismatch(error)) return {swapped: false}
    throw notMadeCurrent(translateAwsError(error, {action: 'secretsmanager:UpdateSecretVersionStage', resource: name}), name, versionId, dropped)
  }

  await dropPendingLabel(client, name, versionId)
  return {swapped: true, versionId}
}

/** AWSCURRENT moved onto an existing version, only from the version read; AWS moves AWSPREVIOUS to the one it leaves. */
export async function moveCurrentStage(client: SecretsManagerClient, name: string, toVersionId: string, expectedVersionId: string): Promise<{moved: boolean}> {
  try {
    await client.send(new UpdateSecretVersionStageCommand({SecretId: name, VersionStage: CURRENT_STAGE, MoveToVersionId: toVersionId, RemoveFromVersionId: expectedVersionId}))
    return {moved: true}
  } catch (error) {
    if (isStageMismatch(error)) return {moved: false}
    throw translateAwsError(error, {action: 'secretsmanager:UpdateSecretVersionStage', resource: name})
  }
}

/** GetRandomPassword, with the options asked (an empty exclusion list is not sent). */
export async function randomPassword(client: SecretsManagerClient, options: PasswordOptions): Promise<SecretValue> {
  try {
    const output = await client.send(
      new GetRandomPasswordCommand({PasswordLength: options.length, ExcludePunctuation: options.excludePunctuation, ExcludeCharacters: options.excludeCharacters || undefined}),
    )
    return SecretValue.fromString(output.RandomPassword ?? '')
  } catch (error) {
    throw translateAwsError(error, {action: 'secretsmanager:GetRandomPassword', resource: '*'})
  }
}

/**
 * Takes PENDING_STAGE off the version this writer put. Best effort: another writer's put may have
 * moved the label already (AWS then refuses the removal), and a failure here must not turn a write
 * that happened into an error; a label left behind moves to the next field write's version.
 */
async function dropPendingLabel(client: SecretsManagerClient, name: string, versionId: string): Promise<boolean> {
  try {
    await client.send(new UpdateSecretVersionStageCommand({SecretId: name, VersionStage: PENDING_STAGE, RemoveFromVersionId: versionId}))
    return true
  } catch {
    // See above.
    return false
  }
}

/**
 * The stage move was refused after the new version was put: the error says that version exists and
 * holds the new value, but readers of AWSCURRENT still get the one before (and whether it kept the label).
 */
function notMadeCurrent(refusal: SecretsError, name: string, versionId: string, dropped: boolean): SecretsError {
  const label = dropped ? 'no label' : `the label ${PENDING_STAGE}, which the next field write moves`
  const error = new SecretsError(`${name}: version ${versionId} was written with the new value (${label}) but did not become AWSCURRENT, which still holds the value before it: ${refusal.message}`, {
    code: refusal.code,
    exitCode: refusal.exitCode,
    hint: refusal.hint,
  })
  error.aws = refusal.aws
  return error
}

/** The stage move's compare failed: AWSCURRENT is no longer on the version read (another writer won). */
function isStageMismatch(error: unknown): boolean {
  const {name, message} = error as {name?: string; message?: string}
  return name === 'InvalidParameterException' && /not (found|attached)/i.test(message ?? '')
}
