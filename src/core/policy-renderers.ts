/**
 * Renders grant policies in the formats teams deploy with. Pure: every renderer takes policy documents
 * built by iam-policy.ts and only changes their notation, never their content, so a test can parse
 * each format back and compare it with the JSON policy. The notations are beside it: CloudFormation's
 * YAML in cfn-yaml.ts, HCL in hcl.ts.
 */
import {Document} from 'yaml'

import {cfnDocument, cfnYaml, inertYaml} from './cfn-yaml.js'
import {UsageError} from './errors.js'
import {hclAttributes, hclComment, hclList, hclString} from './hcl.js'
import {functionAndEnv, pascalCase, type PolicyDocument, sidPrefix} from './iam-policy.js'
import {codeString, escapeLines} from './printable.js'

export const POLICY_FORMATS = ['json', 'cloudformation', 'sam', 'terraform', 'serverless', 'cdk'] as const
export type PolicyFormat = (typeof POLICY_FORMATS)[number]

/** Formats whose ARNs use `${AWS::Partition}`, `${AWS::Region}` and `${AWS::AccountId}`, resolved by CloudFormation. */
export function usesPseudoParameters(format: PolicyFormat): boolean {
  return format === 'cloudformation' || format === 'sam'
}

/** One function's policy, ready to render. */
export interface FunctionPolicy {
  functionName: string
  /** The function's key in the template (a serverless.yml `functions:` key), when it is not its name. */
  templateKey?: string
  env: string
  service: string
  document: PolicyDocument
}

export interface RenderOptions {
  /**
   * Declared-needs mode: several functions, keyed by function name even when there is only one, so a
   * script reading the output never has to guess its shape.
   */
  keyed: boolean
  /**
   * The policies are for ECS task definitions (`grant --task`): attached to each family's task role,
   * the role the application's own AWS calls run as, not a function's execution role.
   */
  task?: boolean
}

/** The formats a task role's policy is printed in: Serverless Framework deploys functions, not task definitions. */
export const TASK_FORMATS: readonly PolicyFormat[] = ['json', 'cloudformation', 'sam', 'terraform', 'cdk']

/** Refuses a format that has no place for a task role's policy. */
export function assertTaskFormat(format: PolicyFormat): void {
  if (!TASK_FORMATS.includes(format)) {
    throw new UsageError(
      `--format ${format} has no place for an ECS task role's policy.`,
      `Use --format ${TASK_FORMATS.join(', ')} (a task definition in serverless.yml's resources: is CloudFormation: --format cloudformation).`,
    )
  }
}

/** Renders the policies in `format`; the text ends with a newline and is the whole of stdout. */
export function renderPolicies(format: PolicyFormat, policies: FunctionPolicy[], options: RenderOptions): string {
  if (options.task) return renderTaskPolicies(format, policies)
  switch (format) {
    case 'json': {
      return renderJson(policies, options)
    }

    case 'cloudformation': {
      return renderCloudFormation(policies)
    }

    case 'sam': {
      return renderSam(policies, options.keyed)
    }

    case 'terraform': {
      return renderTerraform(policies)
    }

    case 'serverless': {
      return renderServerless(policies)
    }

    case 'cdk': {
      return renderCdk(policies)
    }
  }
}

// ---------------------------------------------------------------------------------------------- JSON

function renderJson(policies: FunctionPolicy[], options: RenderOptions): string {
  const value = options.keyed
    ? Object.fromEntries(policies.map((policy) => [policy.functionName, policy.document]))
    : policies[0].document
  return `${JSON.stringify(value, null, 2)}\n`
}

// ------------------------------------------------------------------------------ CloudFormation, SAM

/** Logical IDs, Terraform labels and TypeScript names for each function, refused when two collide. */
export function identifiers(policies: FunctionPolicy[], make: (policy: FunctionPolicy) => string, what: string): string[] {
  const ids = policies.map((policy) => make(policy))
  const seen = new Map<string, string>()
  for (const [i, id] of ids.entries()) {
    const other = seen.get(id)
    if (other !== undefined) {
      throw new UsageError(
        `Functions "${other}" and "${policies[i].functionName}" would get the same ${what} "${id}".`,
        'Rename one of them, or emit their policies one at a time with --function.',
      )
    }

    seen.set(id, policies[i].functionName)
  }

  return ids
}

/** Logical ID of the policy resource: `CheckoutProdSecretsPolicy`. */
function policyLogicalId(policy: FunctionPolicy): string {
  return `${sidPrefix(policy.functionName, policy.env)}SecretsPolicy`
}

/** The execution role the snippet attaches to, by the usual `<Function>Role` logical ID; a task's role by `<Family>TaskRole`. */
function roleLogicalId(name: string, task = false): string {
  return `${pascalCase(name)}${task ? 'TaskRole' : 'Role'}`
}

function renderCloudFormation(policies: FunctionPolicy[]): string {
  const {resources, comment} = cloudFormationPolicies(policies)
  return cfnYaml({Resources: resources}, comment)
}

/** Each function's (or task's) AWS::IAM::RolePolicy by its logical ID, and the comment that says where they go. */
export function cloudFormationPolicies(policies: FunctionPolicy[], task = false): {resources: Record<string, unknown>; comment: string} {
  const ids = identifiers(policies, (policy) => policyLogicalId(policy), 'CloudFormation logical ID')
  const resources = Object.fromEntries(
    policies.map((policy, i) => [
      ids[i],
      {
        Type: 'AWS::IAM::RolePolicy',
        Properties: {
          PolicyName: `${functionAndEnv(policy.functionName, policy.env).join('-')}-secrets`,
          RoleName: {Ref: roleLogicalId(policy.functionName, task)},
          PolicyDocument: cfnDocument(policy.document),
        },
      },
    ]),
  )
  const roles = [...new Set(policies.map((policy) => roleLogicalId(policy.functionName, task)))].join(', ')
  if (task) {
    return {
      resources,
      comment:
        ` Least-privilege secret access (secrets grant --task). Merge into your template's Resources;\n` +
        ` RoleName refers to the role the AWS::ECS::TaskDefinition names as TaskRoleArn (${roles}), the role the\n` +
        ` application's AWS calls run as (not its ExecutionRoleArn): rename the !Ref if yours differs.`,
    }
  }

  return {
    resources,
    comment:
      ` Least-privilege secret access (secrets grant). Merge into your template's Resources;\n` +
      ` RoleName refers to the function's execution role (${roles}): rename the !Ref if yours differs.`,
  }
}

function renderSam(policies: FunctionPolicy[], keyed: boolean): string {
  if (keyed) return samResources(policies, (policy) => ({Policies: [cfnDocument(policy.document)]}))
  const [policy] = policies
  return cfnYaml({Policies: [cfnDocument(policy.document)]}, ` ${policy.functionName} (${policy.env}): under the AWS::Serverless::Function's Properties (secrets grant).`)
}

/**
 * Declared needs in SAM: one YAML document to paste, not a stream of them. It has the shape of the
 * template's own Resources, each function's logical ID (its name in PascalCase) holding what goes under
 * its Properties, so each block lands where it reads.
 */
export function samResources(policies: FunctionPolicy[], properties: (policy: FunctionPolicy, i: number) => Record<string, unknown>, after?: string): string {
  const ids = identifiers(policies, (policy) => pascalCase(policy.functionName), 'SAM logical ID')
  return cfnYaml(
    {Resources: Object.fromEntries(policies.map((policy, i) => [ids[i], {Properties: properties(policy, i)}]))},
    ` Least-privilege secret access (secrets grant) for ${policies.map((policy) => `${policy.functionName} (${policy.env})`).join(', ')}.\n` +
      ` Merge into your template's Resources: each function's Properties below go under its\n` +
      ` AWS::Serverless::Function's Properties; the logical IDs are the function names in PascalCase.`,
    after,
  )
}

// ---------------------------------------------------------------------------------------- Serverless

/** The comment above a serverless.yml fragment. */
export const SERVERLESS_COMMENT = ' Per-function IAM (serverless-iam-roles-per-function plugin); merge into serverless.yml (secrets grant).'

/**
 * A function's block is keyed as serverless.yml keys it, which is not the name it is deployed under
 * (`<service>-<stage>-<key>`): merged under another key, it would declare a function that does not exist.
 */
export function serverlessKey(policy: FunctionPolicy): string {
  return policy.templateKey ?? policy.functionName
}

function renderServerless(policies: FunctionPolicy[]): string {
  const functions = Object.fromEntries(
    policies.map((policy) => [serverlessKey(policy), {iamRoleStatements: policy.document.Statement.map((statement) => ({...statement}))}]),
  )
  const doc = new Document({functions}, {version: '1.1'})
  doc.commentBefore = SERVERLESS_COMMENT
  return inertYaml(doc)
}

// ----------------------------------------------------------------------------------------- Terraform

/** A Terraform identifier: letters, digits, `_` and `-`, not starting with a digit. */
export function terraformLabel(policy: FunctionPolicy): string {
  const label = `${functionAndEnv(policy.functionName, policy.env).join('_')}_secrets`.replaceAll(/[^A-Za-z0-9_-]/g, '_').toLowerCase()
  return /^[A-Za-z_]/.test(label) ? label : `_${label}`
}

function renderTerraform(policies: FunctionPolicy[], task = false): string {
  const labels = identifiers(policies, (policy) => terraformLabel(policy), 'Terraform label')
  const blocks = policies.map((policy, i) => {
    const statements = policy.document.Statement.map((statement) => {
      const lines = [
        '  statement {',
        ...hclAttributes(
          [
            ['sid', hclString(statement.Sid)],
            ['effect', hclString(statement.Effect)],
            ['actions', hclList(statement.Action, '    ')],
            ['resources', hclList(statement.Resource, '    ')],
          ],
          '    ',
        ),
      ]
      for (const [test, entries] of Object.entries(statement.Condition ?? {})) {
        for (const [variable, value] of Object.entries(entries)) {
          lines.push(
            '',
            '    condition {',
            `      test     = ${hclString(test)}`,
            `      variable = ${hclString(variable)}`,
            `      values   = [${hclString(value)}]`,
            '    }',
          )
        }
      }

      lines.push('  }')
      return lines.join('\n')
    })
    const document = [`data "aws_iam_policy_document" ${hclString(labels[i])} {`, statements.join('\n\n'), '}']
    if (task) return [...document, '', ...terraformTaskRolePolicy(policy, labels[i])].join('\n')
    return [
      hclComment(`${policy.functionName} (${policy.env}): attach with aws_iam_role_policy { policy = data.aws_iam_policy_document.${labels[i]}.json }`),
      ...document,
    ].join('\n')
  })
  return `${blocks.join('\n\n')}\n`
}

/** The inline policy on a task definition's task role, `aws_iam_role.<family>_task` by the usual label. */
function terraformTaskRolePolicy(policy: FunctionPolicy, label: string): string[] {
  const family = policy.functionName.replaceAll(/[^A-Za-z0-9_-]/g, '_').toLowerCase()
  const role = `${/^[A-Za-z_]/.test(family) ? family : `_${family}`}_task`
  return [
    hclComment(
      `${policy.functionName} (${policy.env}): on the role its aws_ecs_task_definition names as task_role_arn, the role the application's\n` +
        `AWS calls run as (not its execution_role_arn): rename aws_iam_role.${role} if yours differs.`,
    ),
    `resource "aws_iam_role_policy" ${hclString(label)} {`,
    ...hclAttributes(
      [
        ['name', hclString(`${functionAndEnv(policy.functionName, policy.env).join('-')}-secrets`)],
        ['role', `aws_iam_role.${role}.id`],
        ['policy', `data.aws_iam_policy_document.${label}.json`],
      ],
      '  ',
    ),
    '}',
  ]
}

// ----------------------------------------------------------------------------------------------- CDK

/** A TypeScript identifier: `checkout-fn` in `prod` -> `checkoutFnProdSecretStatements`. */
export function cdkName(policy: FunctionPolicy): string {
  const pascal = `${sidPrefix(policy.functionName, policy.env)}SecretStatements`
  const camel = pascal[0].toLowerCase() + pascal.slice(1)
  return /^[A-Za-z_$]/.test(camel) ? camel : `_${camel}`
}

/** A TypeScript string literal, with no control character or line terminator raw. */
export function tsString(text: string): string {
  return codeString(text)
}

/** `//` comments, one per line of `text`, each line escaped so that nothing in it ends the comment. */
export function tsComment(text: string): string {
  return escapeLines(text)
    .split('\n')
    .map((line) => (line === '' ? '//' : `// ${line}`))
    .join('\n')
}

function tsStringList(items: string[], indent: string): string {
  if (items.length === 1) return `[${tsString(items[0])}]`
  return `[\n${items.map((item) => `${indent}  ${tsString(item)},`).join('\n')}\n${indent}]`
}

function renderCdk(policies: FunctionPolicy[], task = false): string {
  const names = identifiers(policies, (policy) => cdkName(policy), 'TypeScript name')
  const blocks = policies.map((policy, i) => {
    const statements = policy.document.Statement.map((statement) => {
      const lines = [
        '  new iam.PolicyStatement({',
        `    sid: ${tsString(statement.Sid)},`,
        '    effect: iam.Effect.ALLOW,',
        `    actions: ${tsStringList(statement.Action, '    ')},`,
        `    resources: ${tsStringList(statement.Resource, '    ')},`,
      ]
      if (statement.Condition) {
        const conditions = Object.entries(statement.Condition).map(
          ([operator, entries]) =>
            `${tsString(operator)}: {${Object.entries(entries)
              .map(([key, value]) => `${tsString(key)}: ${tsString(value)}`)
              .join(', ')}}`,
        )
        lines.push(`    conditions: {${conditions.join(', ')}},`)
      }

      lines.push('  }),')
      return lines.join('\n')
    })
    return [
      tsComment(
        task
          ? `${policy.functionName} (${policy.env}): for (const statement of ${names[i]}) taskDefinition.addToTaskRolePolicy(statement)\n(the task role, which the application's AWS calls run as; not the execution role)`
          : `${policy.functionName} (${policy.env}): for (const statement of ${names[i]}) fn.addToRolePolicy(statement)`,
      ),
      `export const ${names[i]}: iam.PolicyStatement[] = [`,
      ...statements,
      ']',
    ].join('\n')
  })
  return `import * as iam from 'aws-cdk-lib/aws-iam'\n\n${blocks.join('\n\n')}\n`
}
// ------------------------------------------------------------------------------------- ECS task role

/**
 * `grant --task`: the policy on each task definition family's task role. SAM has no resource of its
 * own for ECS, so a SAM template takes the same CloudFormation resource.
 */
function renderTaskPolicies(format: PolicyFormat, policies: FunctionPolicy[]): string {
  assertTaskFormat(format)
  switch (format) {
    case 'cloudformation':
    case 'sam': {
      const {resources, comment} = cloudFormationPolicies(policies, true)
      return cfnYaml({Resources: resources}, comment)
    }

    case 'terraform': {
      return renderTerraform(policies, true)
    }

    case 'cdk': {
      return renderCdk(policies, true)
    }

    default: {
      return renderJson(policies, {keyed: false})
    }
  }
}
