/**
 * AWS managed policies that read every secret or every SecureString parameter. Their documents are
 * AWS's, not the account's: neither a template nor GetAccountAuthorizationDetails (customer-managed
 * policies only) shows them, so scan and audit judge an attachment by this table. Each entry keeps
 * the statements of the policy's default version that read (copied as policy text, nothing else), the
 * version they were read from, and where AWS publishes the document.
 *
 * Left out, each checked against its document: ViewOnlyAccess (ssm:Describe* and List*, no reads);
 * policies whose read is narrowed by a Condition on a tag or name (AmazonSageMakerFullAccess,
 * AmazonRedshiftFullAccess, AmazonDocDBElasticFullAccess, ...) or to one product's secrets
 * (`secret:LaunchWizard*`, `secret:*redshift*`); permissions boundaries; and service-linked roles'
 * policies, which no one attaches (AmazonSSMServiceRolePolicy, AutoScalingServiceRolePolicy).
 */
import type {PolicyStatement} from './iam.js'

export interface AwsManagedPolicy {
  name: string
  /** The default version the statements were read from. */
  version: string
  /** Its statements that read secrets or SecureStrings (and decrypt every key, where they do). */
  statements: PolicyStatement[]
  /** Why it reads every secret, in words, for the finding. */
  why: string
}

const EVERY_PARAMETER = 'every parameter, SecureStrings included, decrypted under the default aws/ssm key'

const allow = (Action: string[], Resource = '*', extra: Partial<PolicyStatement> = {}): PolicyStatement => ({Effect: 'Allow', Action, Resource, ...extra})

const POLICIES: AwsManagedPolicy[] = [
  {name: 'AdministratorAccess', version: 'v1', statements: [allow(['*'])], why: 'every action on every resource: every secret and parameter, with kms:Decrypt on every key'},
  {
    name: 'PowerUserAccess',
    version: 'v12',
    statements: [{Effect: 'Allow', NotAction: ['iam:*', 'organizations:*', 'account:*'], Resource: '*'}],
    why: 'every action but IAM, Organizations and Account on every resource: every secret and parameter, with kms:Decrypt on every key',
  },
  {name: 'SecretsManagerReadWrite', version: 'v5', statements: [allow(['secretsmanager:*'])], why: 'secretsmanager:* on every secret'},
  {
    name: 'AWSSecretsManagerClientReadOnlyAccess',
    version: 'v3',
    statements: [
      allow(['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'], 'arn:aws:secretsmanager:*:*:secret:*'),
      allow(['kms:Decrypt'], 'arn:aws:kms:*:*:key/*', {Condition: {StringLike: {'kms:ViaService': 'secretsmanager.*.amazonaws.com'}}}),
    ],
    why: 'secretsmanager:GetSecretValue on every secret, and kms:Decrypt through Secrets Manager on every key',
  },
  {name: 'ReadOnlyAccess', version: 'v178', statements: [allow(['ssm:Get*'])], why: `ssm:Get* (GetParameter, GetParameters, GetParametersByPath, GetParameterHistory) on ${EVERY_PARAMETER}`},
  {name: 'AmazonSSMReadOnlyAccess', version: 'v1', statements: [allow(['ssm:Get*'])], why: `ssm:Get* (GetParameter, GetParameters, GetParametersByPath, GetParameterHistory) on ${EVERY_PARAMETER}`},
  {name: 'AmazonSSMFullAccess', version: 'v4', statements: [allow(['ssm:*'])], why: `ssm:* on ${EVERY_PARAMETER}`},
  {name: 'AmazonSSMAutomationRole', version: 'v8', statements: [allow(['ssm:*'])], why: `ssm:* on ${EVERY_PARAMETER}`},
  {name: 'AmazonSSMManagedInstanceCore', version: 'v2', statements: [allow(['ssm:GetParameter', 'ssm:GetParameters'])], why: `ssm:GetParameter and ssm:GetParameters on ${EVERY_PARAMETER}`},
  {name: 'AmazonEC2RoleforSSM', version: 'v8', statements: [allow(['ssm:GetParameters'])], why: `ssm:GetParameters on ${EVERY_PARAMETER}`},
  {name: 'AmazonSSMMaintenanceWindowRole', version: 'v3', statements: [allow(['ssm:GetParameters'])], why: `ssm:GetParameters on ${EVERY_PARAMETER}`},
  {name: 'AmazonElasticFileSystemsUtils', version: 'v1', statements: [allow(['ssm:GetParameter', 'ssm:GetParameters'])], why: `ssm:GetParameter and ssm:GetParameters on ${EVERY_PARAMETER}`},
  {name: 'AmazonLaunchWizardFullaccess', version: 'v5', statements: [allow(['ssm:GetParameter*'])], why: `ssm:GetParameter* on ${EVERY_PARAMETER}`},
  {name: 'AmazonLaunchWizard_Fullaccess', version: 'v15', statements: [allow(['ssm:GetParameter*'])], why: `ssm:GetParameter* on ${EVERY_PARAMETER}`},
  {name: 'AmazonLaunchWizardFullAccessV2', version: 'v1', statements: [allow(['ssm:GetParameter*'], '*', {Sid: 'SsmActions3'})], why: `ssm:GetParameter* on ${EVERY_PARAMETER}`},
  {name: 'AmazonApplicationWizardFullaccess', version: 'v1', statements: [allow(['ssm:GetParameter*'])], why: `ssm:GetParameter* on ${EVERY_PARAMETER}`},
  {name: 'AWSIoTDeviceTesterForFreeRTOSFullAccess', version: 'v7', statements: [allow(['ssm:GetParameters'], '*', {Sid: 'VisualEditor12'})], why: `ssm:GetParameters on ${EVERY_PARAMETER}`},
  {name: 'AIOpsAssistantPolicy', version: 'v15', statements: [allow(['ssm:GetParameters'], '*', {Sid: 'AIOPSServiceAccess'})], why: `ssm:GetParameters on ${EVERY_PARAMETER}`},
]

const BY_NAME = new Map(POLICIES.map((policy) => [policy.name, policy]))

/** Every policy of the table, for tests and docs. */
export const AWS_MANAGED_READ_ALL: readonly AwsManagedPolicy[] = POLICIES

/** Where AWS publishes the policy's document. */
export function awsManagedSource(policy: AwsManagedPolicy): string {
  return `https://docs.aws.amazon.com/aws-managed-policy/latest/reference/${policy.name}.html (${policy.version})`
}

/**
 * The table's entry for an attachment: an AWS managed policy ARN (`arn:aws:iam::aws:policy/...`, any
 * partition and path), or, with `bareName`, a name as SAM's `Policies` takes it. A customer-managed
 * policy of the same name is the account's own, judged by its document.
 */
export function awsManagedReadAll(reference: string, bareName = false): AwsManagedPolicy | undefined {
  const arn = /^arn:[^:]*:iam::aws:policy\/(?:.*\/)?([^/]+)$/.exec(reference)
  if (arn) return BY_NAME.get(arn[1])
  return bareName && !reference.includes(':') ? BY_NAME.get(reference) : undefined
}

/** The policy's reading statements as a document, for the same judgement as any other. */
export function awsManagedDocument(policy: AwsManagedPolicy): string {
  return JSON.stringify({Version: '2012-10-17', Statement: policy.statements})
}

/** `AmazonSSMReadOnlyAccess (AWS managed) allows ssm:Get* ... on every parameter, ...`: names the policy and why. */
export function describeAwsManaged(policy: AwsManagedPolicy): string {
  return `${policy.name} (AWS managed) allows ${policy.why}`
}
