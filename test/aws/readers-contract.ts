import {randomBytes} from 'node:crypto'

import {describe, expect, it} from 'vitest'

import {ExitCode} from '../../src/core/errors.js'
import type {EcsReader, IamAuthorizationPage, IamReader, IdentityReader, LambdaReader, PermissionProbes, SecretPolicyReader, SsmInventoryReader} from '../../src/core/readers.js'
import {exitCodeOf} from '../helpers/errors.js'

export type InlinePolicy = {name: string; document: string}

/** One account behind the readers, and a way to put things in it (through AWS, or into memory). */
export interface ReaderWorld {
  account: string
  region: string
  readers: {lambda: LambdaReader; ecs: EcsReader; ssm: SsmInventoryReader; iam: IamReader; secretPolicies: SecretPolicyReader; identity: IdentityReader; probes: PermissionProbes}
  plant: {
    /** A function of a zip package in `runtime` (nodejs20.x when not given), or of a container image. */
    lambdaFunction(name: string, variables: Record<string, string>, packaging?: {runtime: string} | {image: string}): Promise<void>
    taskDefinition(family: string, containers: Array<{name: string; environment: Array<{name: string; value: string}>}>): Promise<void>
    parameter(name: string, type: 'String' | 'StringList' | 'SecureString', value: string): Promise<void>
    /** A customer-managed policy with these versions, the last one the default; answers its ARN. */
    managedPolicy(name: string, documents: string[]): Promise<string>
    role(name: string, inlinePolicies: InlinePolicy[], attachedPolicyArns: string[]): Promise<void>
    user(name: string, inlinePolicies: InlinePolicy[], attachedPolicyArns: string[]): Promise<void>
    /** A group with its policies and members (users planted before). */
    group(name: string, inlinePolicies: InlinePolicy[], attachedPolicyArns: string[], members: string[]): Promise<void>
    secret(name: string): Promise<void>
    /** Attaches a resource policy (JSON text) to a secret planted before. */
    secretPolicy(name: string, document: string): Promise<void>
  }
}

async function collect<T>(pages: AsyncIterable<T[]>): Promise<T[][]> {
  const out: T[][] = []
  for await (const page of pages) out.push(page)
  return out
}

async function iamPages(reader: IamReader): Promise<IamAuthorizationPage[]> {
  const out: IamAuthorizationPage[] = []
  for await (const page of reader.authorizationDetails()) out.push(page)
  return out
}

/** IAM hands documents back URL-encoded; compare what they say. */
const decoded = (document: string) => JSON.parse(decodeURIComponent(document)) as unknown
const policyDocument = (action: string) => JSON.stringify({Version: '2012-10-17', Statement: [{Effect: 'Allow', Action: action, Resource: '*'}]})

/**
 * The behaviour every implementation of the read ports must have. Run against the memory fakes and
 * against src/aws/readers on the emulator, so the fakes stay faithful stand-ins. The account is
 * shared by the tests of a file: each names its resources with its own prefix and looks only at those.
 */
export function readerContract(label: string, makeWorld: () => Promise<ReaderWorld>): void {
  describe(`Reader contract: ${label}`, () => {
    const unique = () => `c${randomBytes(4).toString('hex')}`

    it('lists every Lambda function with its environment variables', async () => {
      const world = await makeWorld()
      const prefix = unique()
      await world.plant.lambdaFunction(`${prefix}-a`, {DB_HOST: 'db.internal', API_TOKEN: 'x'})
      await world.plant.lambdaFunction(`${prefix}-b`, {})
      const pages = await collect(world.readers.lambda.functions())
      const mine = pages
        .flat()
        .filter((fn) => fn.name.startsWith(prefix))
        .sort((a, b) => (a.name < b.name ? -1 : 1))
        .map(({name, variables}) => ({name, variables}))
      expect(mine).toEqual([
        {name: `${prefix}-a`, variables: {DB_HOST: 'db.internal', API_TOKEN: 'x'}},
        {name: `${prefix}-b`, variables: {}},
      ])
      for (const page of pages) expect(page.length).toBeLessThanOrEqual(50)
    })

    it("reads one Lambda function's environment by name, and exits 3 for a function that does not exist", async () => {
      const world = await makeWorld()
      const name = `${unique()}-one`
      await world.plant.lambdaFunction(name, {DB_HOST: 'db.internal', API_TOKEN: ' spaced ünïcode '})
      expect(await world.readers.lambda.configuration(name)).toMatchObject({name, variables: {DB_HOST: 'db.internal', API_TOKEN: ' spaced ünïcode '}})
      expect(await exitCodeOf(world.readers.lambda.configuration(`${name}-missing`))).toBe(ExitCode.notFound)
    })

    it("gives each Lambda function's runtime as Lambda names it, listed and read by name, and none for a container image", async () => {
      const world = await makeWorld()
      const prefix = unique()
      await world.plant.lambdaFunction(`${prefix}-py`, {}, {runtime: 'python3.12'})
      await world.plant.lambdaFunction(`${prefix}-java`, {}, {runtime: 'java21'})
      await world.plant.lambdaFunction(`${prefix}-image`, {}, {image: `${world.account}.dkr.ecr.${world.region}.amazonaws.com/app:1`})
      const listed = (await collect(world.readers.lambda.functions()))
        .flat()
        .filter((fn) => fn.name.startsWith(prefix))
        .map(({name, runtime}) => [name, runtime])
        .sort(([a], [b]) => (a! < b! ? -1 : 1))
      expect(listed).toEqual([
        [`${prefix}-image`, undefined],
        [`${prefix}-java`, 'java21'],
        [`${prefix}-py`, 'python3.12'],
      ])
      expect((await world.readers.lambda.configuration(`${prefix}-py`)).runtime).toBe('python3.12')
      expect(await world.readers.lambda.configuration(`${prefix}-image`)).not.toHaveProperty('runtime')
    })

    it('lists task definition families and describes the latest revision of one', async () => {
      const world = await makeWorld()
      const family = unique()
      await world.plant.taskDefinition(family, [{name: 'app', environment: [{name: 'MODE', value: 'old'}]}])
      await world.plant.taskDefinition(family, [
        {name: 'app', environment: [{name: 'MODE', value: 'new'}]},
        {name: 'sidecar', environment: []},
      ])
      const families = (await collect(world.readers.ecs.families())).flat()
      expect(families).toContain(family)
      const latest = await world.readers.ecs.latest(family)
      expect(latest).toEqual({
        family,
        revision: 2,
        containers: [
          {name: 'app', environment: [{name: 'MODE', value: 'new'}]},
          {name: 'sidecar', environment: []},
        ],
      })
      // AWS answers a family it does not know with ClientException "Unable to describe task definition.".
      expect(await world.readers.ecs.latest(`${family}-missing`)).toBeUndefined()
    })

    it('lists every parameter with its type, page by page, and no value', async () => {
      const world = await makeWorld()
      const path = `/${unique()}`
      for (let index = 0; index < 52; index++) await world.plant.parameter(`${path}/P${String(index).padStart(2, '0')}`, 'String', `v${index}`)
      await world.plant.parameter(`${path}/LIST`, 'StringList', 'a,b')
      await world.plant.parameter(`${path}/SECURE`, 'SecureString', 'hidden')
      const pages = await collect(world.readers.ssm.parameters())
      expect(pages.length).toBeGreaterThan(1)
      for (const page of pages) expect(page.length).toBeLessThanOrEqual(50)
      const mine = pages.flat().filter((parameter) => parameter.name.startsWith(`${path}/`))
      expect(mine).toHaveLength(54)
      expect(mine.find((parameter) => parameter.name === `${path}/LIST`)).toEqual({name: `${path}/LIST`, type: 'StringList'})
      expect(mine.find((parameter) => parameter.name === `${path}/SECURE`)).toEqual({name: `${path}/SECURE`, type: 'SecureString'})
      expect(mine.filter((parameter) => parameter.type === 'String')).toHaveLength(52)
      expect(JSON.stringify(mine)).not.toContain('hidden')
    })

    it('reads String and StringList values by name, and leaves out names that do not exist', async () => {
      const world = await makeWorld()
      const path = `/${unique()}`
      await world.plant.parameter(`${path}/HOST`, 'String', 'db.internal')
      await world.plant.parameter(`${path}/HOSTS`, 'StringList', 'a,b')
      const values = await world.readers.ssm.values([`${path}/HOST`, `${path}/HOSTS`, `${path}/MISSING`])
      expect(Object.fromEntries(values)).toEqual({[`${path}/HOST`]: 'db.internal', [`${path}/HOSTS`]: 'a,b'})
    })

    it('returns customer-managed policies (default version), roles and users with their policies', async () => {
      const world = await makeWorld()
      const prefix = unique()
      const arn = await world.plant.managedPolicy(`${prefix}-policy`, [policyDocument('s3:GetObject'), policyDocument('secretsmanager:GetSecretValue')])
      await world.plant.role(`${prefix}-role`, [{name: 'inline', document: policyDocument('ssm:GetParameter')}], [arn])
      await world.plant.user(`${prefix}-user`, [{name: 'own', document: policyDocument('kms:Decrypt')}], [arn])
      const pages = await iamPages(world.readers.iam)
      const policies = pages.flatMap((page) => page.managedPolicies).filter((policy) => policy.arn === arn)
      expect(policies.map((policy) => ({arn: policy.arn, document: decoded(policy.document)}))).toEqual([
        {arn, document: JSON.parse(policyDocument('secretsmanager:GetSecretValue'))},
      ])
      // The policy's name, or its ARN when IAM leaves PolicyName out (moto 5.2 does, in this call).
      expect([`${prefix}-policy`, arn]).toContain(policies[0].name)
      const role = pages.flatMap((page) => page.roles).find((entry) => entry.name === `${prefix}-role`)
      expect(role?.attachedPolicyArns).toEqual([arn])
      expect(role?.inlinePolicies.map((policy) => ({name: policy.name, document: decoded(policy.document)}))).toEqual([
        {name: 'inline', document: JSON.parse(policyDocument('ssm:GetParameter'))},
      ])
      const user = pages.flatMap((page) => page.users).find((entry) => entry.name === `${prefix}-user`)
      expect(user?.attachedPolicyArns).toEqual([arn])
      expect(user?.inlinePolicies.map((policy) => ({name: policy.name, document: decoded(policy.document)}))).toEqual([
        {name: 'own', document: JSON.parse(policyDocument('kms:Decrypt'))},
      ])
    })

    it("lists secrets with their ARNs and reads a secret's resource policy: undefined without one, exit 3 for a secret that does not exist", async () => {
      const world = await makeWorld()
      const path = `/${unique()}`
      await world.plant.secret(`${path}/OPEN`)
      await world.plant.secret(`${path}/PLAIN`)
      const policy = JSON.stringify({Version: '2012-10-17', Statement: [{Effect: 'Allow', Principal: {AWS: '210987654321'}, Action: 'secretsmanager:GetSecretValue', Resource: '*'}]})
      await world.plant.secretPolicy(`${path}/OPEN`, policy)
      const mine = (await collect(world.readers.secretPolicies.secrets())).flat().filter((secret) => secret.name.startsWith(`${path}/`))
      expect(mine.map((secret) => secret.name).sort()).toEqual([`${path}/OPEN`, `${path}/PLAIN`])
      for (const secret of mine) expect(secret.arn).toMatch(new RegExp(`^arn:aws:secretsmanager:${world.region}:${world.account}:secret:${path}/[A-Z]+-[A-Za-z0-9]{6}$`))
      const open = mine.find((secret) => secret.name === `${path}/OPEN`)!
      expect(JSON.parse((await world.readers.secretPolicies.resourcePolicy(open.arn!))!)).toEqual(JSON.parse(policy))
      expect(JSON.parse((await world.readers.secretPolicies.resourcePolicy(`${path}/OPEN`))!)).toEqual(JSON.parse(policy))
      expect(await world.readers.secretPolicies.resourcePolicy(`${path}/PLAIN`)).toBeUndefined()
      expect(await exitCodeOf(world.readers.secretPolicies.resourcePolicy(`${path}/MISSING`))).toBe(ExitCode.notFound)
    })

    it('returns groups with their inline and attached policies, and the groups each user is in', async () => {
      const world = await makeWorld()
      const prefix = unique()
      const arn = await world.plant.managedPolicy(`${prefix}-policy`, [policyDocument('ssm:GetParameters')])
      await world.plant.user(`${prefix}-alice`, [], [])
      await world.plant.user(`${prefix}-bob`, [], [])
      await world.plant.group(`${prefix}-group`, [{name: 'own', document: policyDocument('ssm:GetParameter')}], [arn, 'arn:aws:iam::aws:policy/AmazonSSMReadOnlyAccess'], [`${prefix}-alice`])
      const pages = await iamPages(world.readers.iam)
      const group = pages.flatMap((page) => page.groups).find((entry) => entry.name === `${prefix}-group`)
      expect(group?.attachedPolicyArns.sort()).toEqual([arn, 'arn:aws:iam::aws:policy/AmazonSSMReadOnlyAccess'].sort())
      expect(group?.inlinePolicies.map((policy) => ({name: policy.name, document: decoded(policy.document)}))).toEqual([
        {name: 'own', document: JSON.parse(policyDocument('ssm:GetParameter'))},
      ])
      const users = pages.flatMap((page) => page.users).filter((entry) => entry.name.startsWith(prefix))
      expect(Object.fromEntries(users.map((user) => [user.name, user.groups]))).toEqual({[`${prefix}-alice`]: [`${prefix}-group`], [`${prefix}-bob`]: []})
      // AWS managed policies are not listed: their documents are AWS's, judged by name.
      expect(pages.flatMap((page) => page.managedPolicies).some((policy) => policy.arn.startsWith('arn:aws:iam::aws:'))).toBe(false)
    })

    it('tells the configured region and the caller account', async () => {
      const world = await makeWorld()
      expect(await world.readers.identity.region()).toBe(world.region)
      expect(await world.readers.identity.account()).toBe(world.account)
    })

    it('probes: credentials resolve without a call, and the service reads answer', async () => {
      const world = await makeWorld()
      const {probes} = world.readers
      const resolved = await probes.credentials()
      expect(resolved).toMatchObject({credentials: {temporary: false}})
      expect(await probes.region()).toBe(world.region)
      expect(await probes.identity()).toMatchObject({account: world.account})
      await expect(probes.listSecrets()).resolves.toBeUndefined()
      await expect(probes.describeParameters()).resolves.toBeUndefined()
    })

    it('probes a secret: each read resolves on one that exists and exits 3 on one that does not', async () => {
      const world = await makeWorld()
      const name = `/${unique()}/api/DB_PASS`
      await world.plant.secret(name)
      const {probes} = world.readers
      for (const read of [probes.batchGetSecretValue, probes.getSecretValue, probes.describeSecret]) {
        await expect(read.call(probes, name)).resolves.toBeUndefined()
        expect(await exitCodeOf(read.call(probes, `${name}_MISSING`))).toBe(ExitCode.notFound)
      }
    })
  })
}
