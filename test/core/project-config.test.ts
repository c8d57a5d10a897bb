import {mkdir, mkdtemp, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {roleSessionName} from '../../src/aws/clients.js'
import {awsContext} from '../../src/base-command.js'
import {ManifestError, parseNeedsManifest, parseProjectFile} from '../../src/core/needs-manifest.js'
import {roleAccount} from '../../src/core/project-config.js'
import {findProjectFile, loadProjectConfig} from '../../src/services/project-config.js'

const FULL = `service: api
environments:
  prod:
    profile: acme-prod
    region: us-east-1
    account: "111111111111"
    kmsKeyId: alias/prod-secrets
    replicaRegions: [eu-west-1]
  staging:
    role: arn:aws:iam::222222222222:role/secrets-admin
    region: us-west-2
functions:
  checkout: [DB_PASS, STRIPE_KEY]
`

function problem(text: string): {line: number; message: string} {
  try {
    parseProjectFile(text, 'secrets.yml')
  } catch (error) {
    if (error instanceof ManifestError) return {line: error.line, message: error.message}
    throw error
  }

  throw new Error('expected a ManifestError')
}

describe('the environments: section', () => {
  it('reads every setting of every environment, with its line', () => {
    const file = parseProjectFile(FULL, 'secrets.yml')
    expect(file.environments).toEqual([
      {name: 'prod', line: 3, profile: 'acme-prod', region: 'us-east-1', account: '111111111111', kmsKeyId: 'alias/prod-secrets', replicaRegions: ['eu-west-1']},
      {name: 'staging', line: 9, role: 'arn:aws:iam::222222222222:role/secrets-admin', region: 'us-west-2'},
    ])
    expect(file.service).toBe('api')
  })

  it('is one file with the declared needs: grant reads the same file', () => {
    const manifest = parseNeedsManifest(FULL)
    expect(manifest.functions.map((fn) => fn.name)).toEqual(['checkout'])
    expect(manifest.environments?.map((entry) => entry.name)).toEqual(['prod', 'staging'])
  })

  it('reads pricePerSecret as a number or a string (the cost estimate of migrate and promote)', () => {
    const [unquoted, quoted] = parseProjectFile('environments:\n  prod:\n    pricePerSecret: 0.40\n  dev:\n    pricePerSecret: "0.3"\n').environments
    expect(unquoted.pricePerSecret).toBe(0.4)
    expect(quoted.pricePerSecret).toBe(0.3)
  })

  it('needs neither service: nor functions: when read for environments', () => {
    expect(parseProjectFile('environments:\n  dev:\n    region: eu-west-1\n').environments).toHaveLength(1)
  })

  it.each([
    ['an unknown key, named with the allowed ones', 'environments:\n  prod:\n    region: us-east-1\n    regoin: us-east-2\n', 4, /unknown key "regoin"; an environment has profile, role, region, account, kmsKeyId, replicaRegions/],
    ['profile and role both given (at the second)', 'environments:\n  prod:\n    profile: acme\n    region: us-east-1\n    role: arn:aws:iam::111111111111:role/x\n', 5, /both profile and role/],
    ['an invalid role ARN', 'environments:\n  prod:\n    role: arn:aws:iam::1111:role/x\n', 3, /role is not an IAM role ARN/],
    ['a user ARN instead of a role', 'environments:\n  prod:\n    role: arn:aws:iam::111111111111:user/x\n', 3, /role is not an IAM role ARN/],
    ['an invalid region', 'environments:\n  prod:\n    region: useast1\n', 3, /region is not an AWS region/],
    ['an account of 11 digits', 'environments:\n  prod:\n    account: "11111111111"\n', 3, /12-digit AWS account id/],
    ['an unquoted account (YAML reads a number)', 'environments:\n  prod:\n    account: 111111111111\n', 3, /must be a string \(quote it/],
    ['a role in another account than account:', 'environments:\n  prod:\n    role: arn:aws:iam::222222222222:role/x\n    account: "111111111111"\n', 2, /role is in account 222222222222 but account is 111111111111/],
    ['an invalid KMS key', 'environments:\n  prod:\n    kmsKeyId: my key\n', 3, /not a KMS key id/],
    ['replicaRegions not a list', 'environments:\n  prod:\n    replicaRegions: eu-west-1\n', 3, /must be a list of regions/],
    ['a replica region that is not a region', 'environments:\n  prod:\n    replicaRegions:\n      - eu-west-1\n      - europe\n', 5, /each entry must be an AWS region/],
    ['the primary region as a replica', 'environments:\n  prod:\n    region: eu-west-1\n    replicaRegions: [eu-west-1]\n', 2, /lists the primary region/],
    ['an environment without settings', 'environments:\n  prod:\n  staging:\n    region: us-east-1\n', 2, /environment "prod" needs its settings/],
    ['an invalid environment name', 'environments:\n  "pr od":\n    region: us-east-1\n', 2, /contains a space/],
    ['environments as a list', 'environments: [prod]\n', 1, /must map each environment/],
    ['a price per secret that is not a price', 'environments:\n  prod:\n    pricePerSecret: forty cents\n', 3, /pricePerSecret must be a price in USD a secret a month/],
    ['a negative price per secret', 'environments:\n  prod:\n    pricePerSecret: -1\n', 3, /pricePerSecret must be a price/],
    ['a secret-sounding key', 'environments:\n  prod:\n    region: us-east-1\n    aws_secret_access_key: abc\n', 4, /looks like a secret value; secrets.yml never holds one/],
  ])('refuses %s, with the line', (_, text, line, message) => {
    const found = problem(text)
    expect(found.line).toBe(line)
    expect(found.message).toMatch(message)
    expect(found.message).toMatch(new RegExp(`^secrets\\.yml:${line}: `))
  })

  it('never quotes a value in an error (it may be a secret pasted in the wrong place)', () => {
    const found = problem('environments:\n  prod:\n    kmsKeyId: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"\n')
    expect(found.message).not.toContain('wJalrXUtnFEMI')
  })

  it('knows the account of a role ARN', () => {
    expect(roleAccount('arn:aws:iam::222222222222:role/path/secrets-admin')).toBe('222222222222')
    expect(roleAccount('arn:aws-cn:iam::333333333333:role/x')).toBe('333333333333')
    expect(roleAccount('arn:aws:iam::222222222222:user/x')).toBeUndefined()
  })
})

describe('loading the project file', () => {
  async function project(text: string): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'secrets-project-'))
    await writeFile(join(dir, 'secrets.yml'), text)
    return dir
  }

  it('finds secrets.yml walking up from a nested directory, like git', async () => {
    const dir = await project('environments:\n  dev:\n    region: eu-west-1\n')
    const nested = join(dir, 'services', 'api', 'src')
    await mkdir(nested, {recursive: true})
    expect(await findProjectFile(nested)).toBe(join(dir, 'secrets.yml'))
    expect((await loadProjectConfig({cwd: nested}))?.environments[0].region).toBe('eu-west-1')
  })

  it('finds nothing where there is no file (every command then behaves as before)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'secrets-none-'))
    expect(await loadProjectConfig({cwd: dir})).toBeUndefined()
  })

  it('reads --config relative to the working directory, and refuses a missing one', async () => {
    const dir = await project('environments:\n  dev:\n    region: eu-west-1\n')
    await mkdir(join(dir, 'deploy'))
    await writeFile(join(dir, 'deploy', 'envs.yml'), 'environments:\n  dev:\n    region: ap-south-1\n')
    expect((await loadProjectConfig({cwd: dir, file: 'deploy/envs.yml'}))?.environments[0].region).toBe('ap-south-1')
    await expect(loadProjectConfig({cwd: dir, file: 'nope.yml'})).rejects.toMatchObject({exitCode: 2, message: '--config nope.yml: no such file.'})
  })

  it.each([
    ['a GitHub token as a profile', 'ghp_abcdefghijklmnopqrstuvwxyzABCDEF123456'],
    ['an AWS access key id as a profile', 'AKIAQ3EGUFBKZ7XWDY5N'],
  ])('refuses %s as a credential, without repeating it', async (_, value) => {
    const dir = await project(`environments:\n  prod:\n    region: us-east-1\n    profile: ${value}\n`)
    const error = await loadProjectConfig({cwd: dir}).then(
      () => undefined,
      (caught: ManifestError) => caught,
    )
    expect(error).toBeInstanceOf(ManifestError)
    expect(error?.exitCode).toBe(2)
    expect(error?.line).toBe(4)
    expect(error?.message).toMatch(/the value of profile looks like a credential/)
    expect(error?.message).not.toContain(value)
  })

  it('accepts ordinary profile names, aliases and ARNs', async () => {
    const dir = await project(FULL)
    expect((await loadProjectConfig({cwd: dir}))?.environments).toHaveLength(2)
  })
})

describe('resolving an environment', () => {
  const [prod, staging] = parseProjectFile(FULL).environments
  const none = {profile: undefined, region: undefined, 'endpoint-url': undefined}

  it('takes profile, region from the entry when no flag is given', () => {
    expect(awsContext(none, prod)).toMatchObject({profile: 'acme-prod', region: 'us-east-1'})
    expect(awsContext(none, staging)).toMatchObject({role: staging.role, region: 'us-west-2'})
  })

  it('lets flags win: --region over the entry, --profile over its profile or role', () => {
    expect(awsContext({...none, region: 'eu-central-1'}, staging)).toMatchObject({role: staging.role, region: 'eu-central-1'})
    const context = awsContext({...none, profile: 'break-glass'}, staging)
    expect(context.profile).toBe('break-glass')
    expect(context.role).toBeUndefined()
  })

  it('keeps today\'s behaviour for an environment without an entry', () => {
    expect(awsContext({...none, profile: 'p'}, undefined)).toEqual({profile: 'p', region: process.env.AWS_REGION ? undefined : process.env.AWS_DEFAULT_REGION, endpointUrl: undefined})
  })
})

describe('the role session name', () => {
  it.each([
    ['alice', 'secrets-cli-alice'],
    ['DOMAIN\\bob smith', 'secrets-cli-DOMAIN-bob-smith'],
    ['', 'secrets-cli-user'],
    ['x'.repeat(100), `secrets-cli-${'x'.repeat(52)}`],
  ])('names the tool and the user %j within STS rules', (user, expected) => {
    const name = roleSessionName(user)
    expect(name).toBe(expected)
    expect(name).toMatch(/^[\w+=,.@-]{2,64}$/)
  })
})
