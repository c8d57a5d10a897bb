import {CreateSecretCommand, PutResourcePolicyCommand, SecretsManagerClient} from '@aws-sdk/client-secrets-manager'
import {ECSClient, RegisterTaskDefinitionCommand} from '@aws-sdk/client-ecs'
import {
  AddUserToGroupCommand,
  AttachGroupPolicyCommand,
  AttachRolePolicyCommand,
  AttachUserPolicyCommand,
  CreateGroupCommand,
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  CreateRoleCommand,
  CreateUserCommand,
  IAMClient,
  PutGroupPolicyCommand,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
} from '@aws-sdk/client-iam'
import {CreateFunctionCommand, LambdaClient, type Runtime} from '@aws-sdk/client-lambda'
import {PutParameterCommand, SSMClient} from '@aws-sdk/client-ssm'

import {auditReaders, doctorPorts, identityReader} from '../../src/aws/ports.js'
import {tinyZip} from '../fixtures/audit-accounts.js'
import {useOwnEmulator} from '../helpers/cli.js'
import {type ReaderWorld, readerContract} from './readers-contract.js'

// Account-wide reads: an emulator no other test file writes to (see ACCOUNT_WIDE_COMMANDS); with AWS
// managed policies, which a group may attach.
const emulator = await useOwnEmulator({awsManagedPolicies: true})
const REGION = 'us-east-1'
const config = {endpoint: emulator.endpoint, region: REGION, credentials: {accessKeyId: 'testing', secretAccessKey: 'testing'}}
const TRUST = JSON.stringify({Version: '2012-10-17', Statement: [{Effect: 'Allow', Principal: {Service: 'lambda.amazonaws.com'}, Action: 'sts:AssumeRole'}]})

async function emulatorWorld(): Promise<ReaderWorld> {
  // The readers as the CLI builds them (src/aws/ports.ts); the planting through plain SDK clients.
  const context = {endpointUrl: emulator.endpoint, region: REGION}
  const [{readers}, identity, {probes}] = await Promise.all([auditReaders(context, ['env', 'ssm', 'iam']), identityReader(context), doctorPorts(context)])
  const iam = new IAMClient(config)
  const lambda = new LambdaClient(config)
  let executionRole: string | undefined
  return {
    account: '123456789012',
    region: REGION,
    readers: {lambda: readers.lambda!, ecs: readers.ecs!, ssm: readers.ssm!, iam: readers.iam!, secretPolicies: readers.secretPolicies!, identity, probes},
    plant: {
      async lambdaFunction(name, variables, packaging = {runtime: 'nodejs20.x'}) {
        executionRole ??= (await iam.send(new CreateRoleCommand({RoleName: `${name}-exec`, AssumeRolePolicyDocument: TRUST}))).Role!.Arn!
        const code =
          'runtime' in packaging
            ? {Runtime: packaging.runtime as Runtime, Handler: 'index.handler', Code: {ZipFile: tinyZip()}}
            : {PackageType: 'Image' as const, Code: {ImageUri: packaging.image}}
        await lambda.send(new CreateFunctionCommand({FunctionName: name, Role: executionRole, ...code, Environment: {Variables: variables}}))
      },
      async taskDefinition(family, containers) {
        await new ECSClient(config).send(
          new RegisterTaskDefinitionCommand({family, containerDefinitions: containers.map((container) => ({...container, image: 'busybox', memory: 128}))}),
        )
      },
      async parameter(name, type, value) {
        await new SSMClient(config).send(new PutParameterCommand({Name: name, Type: type, Value: value}))
      },
      async managedPolicy(name, documents) {
        const arn = (await iam.send(new CreatePolicyCommand({PolicyName: name, PolicyDocument: documents[0]}))).Policy!.Arn!
        for (const document of documents.slice(1)) await iam.send(new CreatePolicyVersionCommand({PolicyArn: arn, PolicyDocument: document, SetAsDefault: true}))
        return arn
      },
      async role(name, inlinePolicies, attachedPolicyArns) {
        await iam.send(new CreateRoleCommand({RoleName: name, AssumeRolePolicyDocument: TRUST}))
        for (const policy of inlinePolicies) await iam.send(new PutRolePolicyCommand({RoleName: name, PolicyName: policy.name, PolicyDocument: policy.document}))
        for (const arn of attachedPolicyArns) await iam.send(new AttachRolePolicyCommand({RoleName: name, PolicyArn: arn}))
      },
      async user(name, inlinePolicies, attachedPolicyArns) {
        await iam.send(new CreateUserCommand({UserName: name}))
        for (const policy of inlinePolicies) await iam.send(new PutUserPolicyCommand({UserName: name, PolicyName: policy.name, PolicyDocument: policy.document}))
        for (const arn of attachedPolicyArns) await iam.send(new AttachUserPolicyCommand({UserName: name, PolicyArn: arn}))
      },
      async group(name, inlinePolicies, attachedPolicyArns, members) {
        await iam.send(new CreateGroupCommand({GroupName: name}))
        for (const policy of inlinePolicies) await iam.send(new PutGroupPolicyCommand({GroupName: name, PolicyName: policy.name, PolicyDocument: policy.document}))
        for (const arn of attachedPolicyArns) await iam.send(new AttachGroupPolicyCommand({GroupName: name, PolicyArn: arn}))
        for (const user of members) await iam.send(new AddUserToGroupCommand({GroupName: name, UserName: user}))
      },
      async secret(name) {
        await new SecretsManagerClient(config).send(new CreateSecretCommand({Name: name, SecretString: 'value'}))
      },
      async secretPolicy(name, document) {
        await new SecretsManagerClient(config).send(new PutResourcePolicyCommand({SecretId: name, ResourcePolicy: document}))
      },
    },
  }
}

readerContract('src/aws/readers on the emulator', emulatorWorld)
