import {
  BatchGetSecretValueCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  ListSecretsCommand,
  SecretsManagerClient,
  SecretsManagerServiceException,
} from '@aws-sdk/client-secrets-manager'
import {DescribeParametersCommand, SSMClient, SSMServiceException} from '@aws-sdk/client-ssm'
import {GetCallerIdentityCommand, STSClient} from '@aws-sdk/client-sts'
import {mockClient} from 'aws-sdk-client-mock'
import {afterEach, describe, expect, it} from 'vitest'

import {AwsPermissionProbes} from '../../src/aws/readers/probes.js'
import {Scope} from '../../src/core/address.js'
import {SecretsManagerStore} from '../../src/stores/secrets-manager-store.js'
import {credentialSource} from '../../src/aws/credential-source.js'
import {type DoctorInput, runDoctor} from '../../src/services/doctor.js'

const config = {region: 'eu-west-1', credentials: {accessKeyId: 'ASIAXXXXXXXXXXXXWXYZ', secretAccessKey: 'canary-secret', sessionToken: 'canary-token'}}
const mocks: Array<{restore(): void}> = []
afterEach(() => {
  for (const mock of mocks.splice(0)) mock.restore()
})

function denied(action: string, why: string) {
  return new SecretsManagerServiceException({
    name: 'AccessDeniedException',
    $fault: 'client',
    $metadata: {httpStatusCode: 400},
    message: `User: arn:aws:sts::111122223333:assumed-role/dev/me is not authorized to perform: ${action} on resource: /prod/api/DB_PASS ${why}`,
  })
}

function clients() {
  const sts = new STSClient(config)
  const secretsManager = new SecretsManagerClient(config)
  const ssm = new SSMClient(config)
  const stsMock = mockClient(sts)
  const smMock = mockClient(secretsManager)
  const ssmMock = mockClient(ssm)
  mocks.push(stsMock, smMock, ssmMock)
  stsMock.on(GetCallerIdentityCommand).resolves({Account: '111122223333', Arn: 'arn:aws:sts::111122223333:assumed-role/dev/me'})
  smMock.on(ListSecretsCommand).resolves({SecretList: [{Name: '/prod/api2/OTHER'}, {Name: '/prod/api/DB_PASS'}]})
  ssmMock.on(DescribeParametersCommand).resolves({Parameters: []})
  return {clients: {sts, secretsManager, ssm}, smMock, ssmMock}
}

/** Doctor's ports over the mocked clients, as src/aws/ports.ts builds them over real ones. */
function doctorPorts(c: {sts: STSClient; secretsManager: SecretsManagerClient; ssm: SSMClient}) {
  return {probes: new AwsPermissionProbes(c), store: new SecretsManagerStore(c.secretsManager)}
}

/** runDoctor over the mocked clients, with the credential source the command would infer from `env`. */
async function runDoctorOn(c: {sts: STSClient; secretsManager: SecretsManagerClient; ssm: SSMClient}, rest: Omit<DoctorInput, 'probes' | 'store' | 'credentialSource'>) {
  return runDoctor({...rest, ...doctorPorts(c), credentialSource: await credentialSource(rest.env ?? {}, rest.flags.profile)})
}

describe('secrets doctor with denied operations (aws-sdk-client-mock)', () => {
  it('explains each denied read from the error, with a fix, and exits 5', async () => {
    const {clients: c, smMock, ssmMock} = clients()
    smMock
      .on(BatchGetSecretValueCommand)
      .resolves({SecretValues: [], Errors: [{SecretId: '/prod/api/DB_PASS', ErrorCode: 'AccessDeniedException', Message: 'because no identity-based policy allows the secretsmanager:GetSecretValue action'}]})
    smMock.on(GetSecretValueCommand).rejects(denied('secretsmanager:GetSecretValue', 'because no identity-based policy allows the secretsmanager:GetSecretValue action'))
    smMock.on(DescribeSecretCommand).rejects(denied('secretsmanager:DescribeSecret', 'with an explicit deny in a service control policy'))
    ssmMock.on(DescribeParametersCommand).rejects(
      new SSMServiceException({name: 'AccessDeniedException', $fault: 'client', $metadata: {httpStatusCode: 400}, message: 'because no identity-based policy allows the ssm:DescribeParameters action'}),
    )

    const report = await runDoctorOn(c, {flags: {}, scope: Scope.parse('prod/api'), env: {AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'y', AWS_CONFIG_FILE: '/dev/null'}})
    const check = (id: string) => report.checks.find((entry) => entry.id === id)
    expect(report).toMatchObject({ok: false, exitCode: 5, account: '111122223333', region: 'eu-west-1', credentials: {temporary: true, accessKeyIdEndsWith: 'WXYZ'}})
    expect(check('prod/api: ListSecrets')).toMatchObject({status: 'ok', detail: 'allowed: 1 secret in prod/api'})
    expect(check('prod/api: BatchGetSecretValue')).toMatchObject({status: 'fail', exitCode: 5, detail: expect.stringContaining('no identity-based policy allows it')})
    expect(check('prod/api: GetSecretValue')).toMatchObject({
      status: 'fail',
      detail: 'denied: secretsmanager:GetSecretValue on /prod/api/DB_PASS (no identity-based policy allows it)',
      fix: 'Allow secretsmanager:GetSecretValue on /prod/api/DB_PASS* in a policy of your identity, or use another --profile.',
    })
    expect(check('prod/api: DescribeSecret')).toMatchObject({status: 'fail', detail: expect.stringContaining('explicitly denied by a service control policy'), fix: expect.stringMatching(/SCP/)})
    // SSM is only a migration source: denied there is a warning.
    expect(check('ssm')).toMatchObject({status: 'warn', detail: expect.stringContaining('migrate --from-ssm')})
    expect(check('prod/api: PutSecretValue')).toMatchObject({
      status: 'info',
      detail: expect.stringContaining('reads are denied above, so writes are likely denied too'),
      fix: expect.stringContaining('arn:aws:secretsmanager:eu-west-1:111122223333:secret:/prod/api/*'),
    })
    expect(JSON.stringify(report)).not.toMatch(/canary/)
    // The read-only calls only: doctor never writes.
    const called = smMock.calls().map((call) => call.args[0].constructor.name)
    expect(new Set(called)).toEqual(new Set(['ListSecretsCommand', 'BatchGetSecretValueCommand', 'GetSecretValueCommand', 'DescribeSecretCommand']))
  })

  it('reports denied GetCallerIdentity and ListSecrets, exiting 5 with the first failure', async () => {
    const {clients: c, smMock} = clients()
    smMock.on(ListSecretsCommand).rejects(denied('secretsmanager:ListSecrets', 'with an explicit deny in an identity-based policy'))
    const report = await runDoctorOn(c, {flags: {}, scope: Scope.parse('prod/api'), env: {AWS_CONFIG_FILE: '/dev/null', AWS_PROFILE: 'dev'}})
    expect(report.exitCode).toBe(5)
    expect(report.checks.find((entry) => entry.id === 'secretsmanager')).toMatchObject({status: 'fail', detail: expect.stringContaining('explicitly denied by an identity-based policy')})
    expect(report.checks.find((entry) => entry.id === 'prod/api: GetSecretValue')).toMatchObject({status: 'skip', detail: 'needs ListSecrets (see above)'})
    expect(report.credentials).toMatchObject({kind: 'profile', profile: 'dev'})
    expect(report.checks.find((entry) => entry.id === 'credentials-conflict')).toBeUndefined()
  })

  it('warns when a profile and keys in the environment are both set', async () => {
    const {clients: c} = clients()
    const report = await runDoctorOn(c, {flags: {profile: 'dev'}, env: {AWS_CONFIG_FILE: '/dev/null', AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'y'}})
    expect(report.checks[0]).toMatchObject({id: 'credentials-conflict', status: 'warn'})
    expect(report.exitCode).toBe(0)
  })
})
