/**
 * In-memory stand-ins for the read ports of src/core/readers.ts: real implementations over a plain
 * account model, paging as AWS pages, so a service test needs neither the SDK nor a mock. Kept
 * faithful by the contract suite (test/aws/readers-contract.ts), run against them and the emulator.
 */
import {AccessDeniedError, NotFoundError} from '../../src/core/errors.js'
import type {TaskDefinitionInput} from '../../src/core/audit/inspect.js'
import type {
  AuditReaders,
  CallerIdentity,
  CredentialProblem,
  EcsReader,
  IamAuthorizationPage,
  IamReader,
  IdentityReader,
  LambdaFunctionEnvironment,
  LambdaReader,
  ParameterSummary,
  PermissionProbes,
  ResolvedCredentials,
  SecretPolicyReader,
  SecretSummary,
  SsmInventoryReader,
} from '../../src/core/readers.js'

type Policy = {name: string; document: string}

/** What the fakes read: one account in one region. */
export class MemoryAccount {
  account = '123456789012'
  region: string | undefined = 'us-east-1'
  arn = 'arn:aws:iam::123456789012:user/memory'
  credentials: ResolvedCredentials | CredentialProblem = {accessKeyId: 'testing', temporary: false}
  readonly functions = new Map<string, LambdaFunctionEnvironment>()
  /** Family -> its ACTIVE revisions, oldest first. */
  readonly taskDefinitions = new Map<string, TaskDefinitionInput[]>()
  readonly parameters = new Map<string, {type: string; value: string}>()
  readonly managedPolicies = new Map<string, {name: string; versions: Array<{document: string; isDefault: boolean}>}>()
  readonly roles = new Map<string, {inlinePolicies: Policy[]; attachedPolicyArns: string[]}>()
  readonly users = new Map<string, {inlinePolicies: Policy[]; attachedPolicyArns: string[]}>()
  readonly groups = new Map<string, {inlinePolicies: Policy[]; attachedPolicyArns: string[]; members: string[]}>()
  readonly secrets = new Set<string>()
  /** Secret name -> its resource policy's JSON text. */
  readonly secretPolicies = new Map<string, string>()
  /** Actions answered with AccessDenied, as a policy without them would. */
  readonly denied = new Set<string>()

  deny(...actions: string[]): this {
    for (const action of actions) this.denied.add(action)
    return this
  }

  /** Throws what a translated AWS denial is: AccessDeniedError carrying the SDK error's name. `action resource` in `denied` denies that one resource. */
  check(action: string, resource?: string): void {
    if (!this.denied.has(action) && !(resource !== undefined && this.denied.has(`${action} ${resource}`))) return
    const error = new AccessDeniedError(`Access denied: ${resource ? `${action} on ${resource}` : action} (AccessDeniedException).`)
    error.aws = {name: 'AccessDeniedException', deniedBecause: 'no identity-based policy allows it'}
    throw error
  }
}

/** The page sizes the AWS readers ask for. */
const PAGE = {lambda: 50, ecs: 100, ssm: 50, iam: 100, secrets: 100}

async function* pages<T, P>(items: readonly T[], size: number, check: () => void, map: (page: T[]) => P): AsyncGenerator<P> {
  let index = 0
  do {
    check()
    yield map(items.slice(index, index + size))
    index += size
  } while (index < items.length)
}

export class MemoryLambdaReader implements LambdaReader {
  constructor(private readonly account: MemoryAccount) {}

  functions(): AsyncIterable<LambdaFunctionEnvironment[]> {
    return pages([...this.account.functions.values()], PAGE.lambda, () => this.account.check('lambda:ListFunctions'), (page) => page.map((fn) => structuredClone(fn)))
  }

  async configuration(name: string): Promise<LambdaFunctionEnvironment> {
    this.account.check('lambda:GetFunctionConfiguration', name)
    const fn = this.account.functions.get(name)
    if (!fn) throw new NotFoundError(`${name} was not found (lambda:GetFunctionConfiguration).`)
    return structuredClone(fn)
  }
}

export class MemoryEcsReader implements EcsReader {
  constructor(private readonly account: MemoryAccount) {}

  families(): AsyncIterable<string[]> {
    return pages([...this.account.taskDefinitions.keys()].sort(), PAGE.ecs, () => this.account.check('ecs:ListTaskDefinitionFamilies'), (page) => page)
  }

  async latest(family: string): Promise<TaskDefinitionInput | undefined> {
    this.account.check('ecs:DescribeTaskDefinition', family)
    const revisions = this.account.taskDefinitions.get(family)
    return revisions?.length ? structuredClone(revisions.at(-1)) : undefined
  }
}

export class MemorySsmInventoryReader implements SsmInventoryReader {
  constructor(private readonly account: MemoryAccount) {}

  parameters(): AsyncIterable<ParameterSummary[]> {
    const all = [...this.account.parameters].map(([name, {type}]) => ({name, type}))
    return pages(all, PAGE.ssm, () => this.account.check('ssm:DescribeParameters'), (page) => page)
  }

  async values(names: readonly string[]): Promise<Map<string, string>> {
    this.account.check('ssm:GetParameters')
    const values = new Map<string, string>()
    for (const name of names) {
      const parameter = this.account.parameters.get(name)
      // Never decrypted: a SecureString's value is not what comes back.
      if (parameter && parameter.type !== 'SecureString') values.set(name, parameter.value)
    }

    return values
  }
}

export class MemoryIamReader implements IamReader {
  constructor(private readonly account: MemoryAccount) {}

  async *authorizationDetails(): AsyncIterable<IamAuthorizationPage> {
    type Entry = {kind: 'policy' | 'role' | 'user' | 'group'; name: string}
    const entries: Entry[] = [
      ...[...this.account.managedPolicies.keys()].map((name) => ({kind: 'policy' as const, name})),
      ...[...this.account.roles.keys()].map((name) => ({kind: 'role' as const, name})),
      ...[...this.account.users.keys()].map((name) => ({kind: 'user' as const, name})),
      ...[...this.account.groups.keys()].map((name) => ({kind: 'group' as const, name})),
    ]
    yield* pages(entries, PAGE.iam, () => this.account.check('iam:GetAccountAuthorizationDetails'), (page) => {
      const result: IamAuthorizationPage = {managedPolicies: [], roles: [], users: [], groups: []}
      for (const entry of page) {
        if (entry.kind === 'policy') {
          const policy = this.account.managedPolicies.get(entry.name)!
          const version = policy.versions.find((candidate) => candidate.isDefault) ?? policy.versions[0]
          result.managedPolicies.push({arn: entry.name, name: policy.name, document: version.document})
        } else if (entry.kind === 'role') {
          result.roles.push({name: entry.name, ...structuredClone(this.account.roles.get(entry.name)!)})
        } else if (entry.kind === 'user') {
          const groups = [...this.account.groups].filter(([, group]) => group.members.includes(entry.name)).map(([name]) => name)
          result.users.push({name: entry.name, ...structuredClone(this.account.users.get(entry.name)!), groups})
        } else {
          const {inlinePolicies, attachedPolicyArns} = structuredClone(this.account.groups.get(entry.name)!)
          result.groups.push({name: entry.name, inlinePolicies, attachedPolicyArns})
        }
      }

      return result
    })
  }
}

/** The six characters Secrets Manager appends to a secret's ARN; fixed here so a test can write one. */
export const MEMORY_ARN_SUFFIX = 'AbCdEf'

export class MemorySecretPolicyReader implements SecretPolicyReader {
  constructor(private readonly account: MemoryAccount) {}

  secrets(): AsyncIterable<SecretSummary[]> {
    const all = [...this.account.secrets].map((name) => ({name, arn: this.arnOf(name)}))
    return pages(all, PAGE.secrets, () => this.account.check('secretsmanager:ListSecrets'), (page) => page)
  }

  async resourcePolicy(secretId: string): Promise<string | undefined> {
    const name = [...this.account.secrets].find((candidate) => candidate === secretId || this.arnOf(candidate) === secretId)
    this.account.check('secretsmanager:GetResourcePolicy', name ?? secretId)
    if (name === undefined) throw new NotFoundError(`${secretId} was not found (secretsmanager:GetResourcePolicy).`)
    return this.account.secretPolicies.get(name)
  }

  private arnOf(name: string): string {
    return `arn:aws:secretsmanager:${this.account.region ?? 'us-east-1'}:${this.account.account}:secret:${name}-${MEMORY_ARN_SUFFIX}`
  }
}

export class MemoryIdentityReader implements IdentityReader {
  constructor(private readonly state: MemoryAccount) {}

  async region(): Promise<string | undefined> {
    return this.state.region
  }

  async account(): Promise<string> {
    this.state.check('sts:GetCallerIdentity')
    return this.state.account
  }
}

export class MemoryPermissionProbes implements PermissionProbes {
  constructor(private readonly account: MemoryAccount) {}

  async credentials(): Promise<{credentials: ResolvedCredentials} | {problem: CredentialProblem}> {
    const {credentials} = this.account
    return typeof credentials === 'string' ? {problem: credentials} : {credentials: {...credentials}}
  }

  async region(): Promise<string | undefined> {
    return this.account.region
  }

  async identity(): Promise<CallerIdentity> {
    this.account.check('sts:GetCallerIdentity')
    return {account: this.account.account, arn: this.account.arn}
  }

  async listSecrets(): Promise<void> {
    this.account.check('secretsmanager:ListSecrets')
  }

  async describeParameters(): Promise<void> {
    this.account.check('ssm:DescribeParameters')
  }

  async batchGetSecretValue(name: string): Promise<void> {
    this.read('secretsmanager:BatchGetSecretValue', name)
  }

  async getSecretValue(name: string): Promise<void> {
    this.read('secretsmanager:GetSecretValue', name)
  }

  async describeSecret(name: string): Promise<void> {
    this.read('secretsmanager:DescribeSecret', name)
  }

  private read(action: string, name: string): void {
    this.account.check(action, name)
    if (!this.account.secrets.has(name)) throw new NotFoundError(`${name} was not found (${action}).`)
  }
}

/** Every audit reader over one account. */
export function memoryAuditReaders(account: MemoryAccount): AuditReaders {
  return {
    lambda: new MemoryLambdaReader(account),
    ecs: new MemoryEcsReader(account),
    ssm: new MemorySsmInventoryReader(account),
    iam: new MemoryIamReader(account),
    secretPolicies: new MemorySecretPolicyReader(account),
  }
}
