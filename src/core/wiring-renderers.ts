/**
 * `grant --runtime`: each function's policy with, beside it, where that format puts a function's
 * environment (the variables that name its secrets) and, as a comment, the handler that reads them
 * and the cache plan. Pure, like policy-renderers.ts, whose renderers and notation helpers it uses: the document
 * printed stays one a parser of its language reads (YAML, HCL, TypeScript, JSON).
 */
import {Document} from 'yaml'

import {cfnDocument, cfnYaml, inertYaml} from './cfn-yaml.js'
import {UsageError} from './errors.js'
import {pascalCase} from './iam-policy.js'
import {
  cdkName,
  cloudFormationPolicies,
  type FunctionPolicy,
  identifiers,
  type PolicyFormat,
  renderPolicies,
  type RenderOptions,
  samResources,
  SERVERLESS_COMMENT,
  serverlessKey,
  terraformLabel,
  tsComment,
  tsString,
} from './policy-renderers.js'
import {hclAttributes, hclComment, hclString} from './hcl.js'
import {escapeLines} from './printable.js'
import {taskModuleFileName} from './runtime-snippets.js'
import {CONFIGURATION_NOTE, EXTENSION_LAYER_PARAMETER, type FunctionWiring, TASK_CONFIGURATION_NOTE} from './runtime-wiring.js'

/** The policies, each function's environment and its handler, in `format`; `wirings[i]` belongs to `policies[i]`. */
export function renderWired(format: PolicyFormat, policies: FunctionPolicy[], wirings: FunctionWiring[], options: RenderOptions): string {
  if (options.task) return renderTaskWired(format, policies, wirings)
  switch (format) {
    case 'json': {
      const entries = policies.map((policy, i) => jsonEntry(policy, wirings[i]))
      const value = options.keyed ? Object.fromEntries(policies.map((policy, i) => [policy.functionName, entries[i]])) : entries[0]
      return `${JSON.stringify(value, null, 2)}\n`
    }

    case 'sam': {
      if (options.keyed) {
        const handlers = policies.map((policy, i) => ` ${policy.functionName}:\n${trailer(wirings[i])}`).join('\n\n')
        return samResources(policies, (_, i) => ({Policies: [cfnDocument(policies[i].document)], Environment: {Variables: wirings[i].environment}, ...cfnLayers(wirings[i])}), ` Environment.Variables: ${CONFIGURATION_NOTE}\n\n${handlers}`)
      }

      return policies
        .map((policy, i) =>
          cfnYaml(
            {Policies: [cfnDocument(policy.document)], Environment: {Variables: wirings[i].environment}, ...cfnLayers(wirings[i])},
            ` ${policy.functionName} (${policy.env}): under the AWS::Serverless::Function's Properties (secrets grant).\n Environment.Variables: ${CONFIGURATION_NOTE}`,
            trailer(wirings[i]),
          ),
        )
        .join('---\n')
    }

    case 'cloudformation': {
      if (options.keyed) return cloudFormationResources(policies, wirings)
      const environments = policies.map((policy, i) =>
        cfnYaml(
          {Environment: {Variables: wirings[i].environment}, ...cfnLayers(wirings[i])},
          ` ${policy.functionName} (${policy.env}): under its AWS::Lambda::Function's Properties.\n ${CONFIGURATION_NOTE}`,
          trailer(wirings[i]),
        ),
      )
      return [renderPolicies(format, policies, options), ...environments].join('---\n')
    }

    case 'serverless': {
      return renderServerless(policies, wirings)
    }

    case 'terraform': {
      return `${renderPolicies(format, policies, options)}\n${renderTerraformEnvironments(policies, wirings)}`
    }

    case 'cdk': {
      return `${renderPolicies(format, policies, options)}\n${renderCdkEnvironments(policies, wirings)}`
    }
  }
}

/**
 * Declared needs in CloudFormation: one YAML document to paste, as for SAM. It has the shape of the
 * template's Resources: the policy resources, and under each function's logical ID (its name in
 * PascalCase, as the `<Function>Role` the policies refer to) what goes under its Properties.
 */
function cloudFormationResources(policies: FunctionPolicy[], wirings: FunctionWiring[]): string {
  const {resources, comment} = cloudFormationPolicies(policies)
  const ids = identifiers(policies, (policy) => pascalCase(policy.functionName), 'CloudFormation logical ID')
  const clash = ids.find((id) => id in resources)
  if (clash !== undefined) {
    throw new UsageError(`A function would get the logical ID "${clash}" of a policy resource.`, 'Rename the function, or emit its policy one at a time with --function.')
  }

  const functions = Object.fromEntries(policies.map((_, i) => [ids[i], {Properties: {Environment: {Variables: wirings[i].environment}, ...cfnLayers(wirings[i])}}]))
  const handlers = policies.map((policy, i) => ` ${policy.functionName}:\n${trailer(wirings[i])}`).join('\n\n')
  return cfnYaml(
    {Resources: {...resources, ...functions}},
    `${comment}\n Each function's Properties below go under its AWS::Lambda::Function's Properties; the logical IDs\n are the function names in PascalCase.`,
    ` Environment.Variables: ${CONFIGURATION_NOTE}\n\n${handlers}`,
  )
}

/** `Layers: [!Ref SecretsExtensionLayerArn]` for --via extension; the template declares the parameter (a String). */
function cfnLayers(wiring: FunctionWiring): Record<string, unknown> {
  return wiring.extensionLayer ? {Layers: [{Ref: EXTENSION_LAYER_PARAMETER}]} : {}
}

function jsonEntry(policy: FunctionPolicy, wiring: FunctionWiring): Record<string, unknown> {
  return {
    ...(wiring.extensionLayer ? {layerParameter: EXTENSION_LAYER_PARAMETER} : {}),
    policy: policy.document,
    environment: wiring.environment,
    comment: CONFIGURATION_NOTE,
    runtime: wiring.runtime,
    handler: wiring.code,
    notes: wiring.notes,
  }
}

/** The lines after a function's block: the cache plan, then the handler, for a comment. */
function trailerLines(wiring: FunctionWiring): string[] {
  if (wiring.task) {
    const module = `${wiring.runtime === 'nodejs' ? 'Node.js' : 'Python'} (${taskModuleFileName(wiring.runtime)}, imported by the application)`
    return [...wiring.notes, `${module}, with the AWS SDK and the task role's credentials:`, '', ...wiring.code.trimEnd().split('\n')]
  }

  const runtime = wiring.runtime === 'nodejs' ? 'Node.js (handler.mjs)' : 'Python (handler.py)'
  const how = wiring.extensionLayer ? 'through the AWS Parameters and Secrets Lambda Extension, no library' : "with Powertools for AWS Lambda's Parameters utility"
  return [...wiring.notes, `${runtime}, ${how}:`, '', ...wiring.code.trimEnd().split('\n')]
}

/** As a YAML comment body (the writer adds each `#`); cfnYaml escapes it, as renderServerless does. */
function trailer(wiring: FunctionWiring): string {
  return trailerLines(wiring)
    .map((line) => ` ${line}`)
    .join('\n')
}

function renderServerless(policies: FunctionPolicy[], wirings: FunctionWiring[]): string {
  const functions = Object.fromEntries(
    policies.map((policy, i) => [
      serverlessKey(policy),
      {
        environment: wirings[i].environment,
        ...(wirings[i].extensionLayer ? {layers: [`\${param:${EXTENSION_LAYER_PARAMETER}}`]} : {}),
        iamRoleStatements: policy.document.Statement.map((statement) => ({...statement})),
      },
    ]),
  )
  const doc = new Document({functions}, {version: '1.1'})
  // Comments quote field names and rotation schedules from AWS: escaped line by line, as cfnYaml does.
  doc.commentBefore = escapeLines(`${SERVERLESS_COMMENT}\n environment: ${CONFIGURATION_NOTE}`)
  doc.comment = escapeLines(wirings.map((wiring, i) => ` ${serverlessKey(policies[i])}:\n${trailer(wiring)}`).join('\n\n'))
  return inertYaml(doc)
}

/** A `locals` map per function, which its aws_lambda_function takes as `environment { variables = local.<name> }`. */
function renderTerraformEnvironments(policies: FunctionPolicy[], wirings: FunctionWiring[]): string {
  const names = identifiers(policies, (policy) => terraformLabel(policy).replace(/_secrets$/, '_environment'), 'Terraform local')
  const blocks = policies.map((policy, i) => {
    return [
      hclComment(`${policy.functionName} (${policy.env}): in its aws_lambda_function, environment { variables = local.${names[i]} }${wirings[i].extensionLayer ? ` and layers = [var.${TERRAFORM_LAYER_VARIABLE}]` : ''}`),
      hclComment(CONFIGURATION_NOTE),
      'locals {',
      `  ${names[i]} = {`,
      ...hclAttributes(Object.entries(wirings[i].environment).map(([key, value]) => [key, hclString(value)]), '    '),
      '  }',
      '}',
      hclComment(trailerLines(wirings[i]).join('\n')),
    ].join('\n')
  })
  const layer = wirings.some((wiring) => wiring.extensionLayer)
    ? [`# The AWS Parameters and Secrets Lambda Extension's layer ARN for the region (AWS lists one per region).\nvariable "${TERRAFORM_LAYER_VARIABLE}" {\n  type = string\n}`]
    : []
  return `${[...layer, ...blocks].join('\n\n')}\n`
}

const TERRAFORM_LAYER_VARIABLE = 'secrets_extension_layer_arn'

/** An exported environment object per function, for `new lambda.Function(..., {environment})`. */
function renderCdkEnvironments(policies: FunctionPolicy[], wirings: FunctionWiring[]): string {
  const names = identifiers(policies, (policy) => cdkName(policy).replace(/SecretStatements$/, 'Environment'), 'TypeScript name')
  const blocks = policies.map((policy, i) =>
    [
      tsComment(`${policy.functionName} (${policy.env}): new lambda.Function(this, ..., {..., environment: ${names[i]}${wirings[i].extensionLayer ? `, layers: [lambda.LayerVersion.fromLayerVersionArn(this, '${EXTENSION_LAYER_PARAMETER}', ${EXTENSION_LAYER_PARAMETER[0].toLowerCase()}${EXTENSION_LAYER_PARAMETER.slice(1)})]` : ''}})`),
      tsComment(CONFIGURATION_NOTE),
      `export const ${names[i]}: Record<string, string> = {`,
      ...Object.entries(wirings[i].environment).map(([key, value]) => `  ${key}: ${tsString(value)},`),
      '}',
      tsComment(trailerLines(wirings[i]).join('\n')),
    ].join('\n'),
  )
  return `${blocks.join('\n\n')}\n`
}

// ------------------------------------------------------------------------------------- ECS tasks

/**
 * `grant --task --runtime`: the task role's policy, the container's environment (the variables that
 * name its secrets, in the notation each format writes a container definition's `environment` in)
 * and, as a comment, the module that reads them.
 */
function renderTaskWired(format: PolicyFormat, policies: FunctionPolicy[], wirings: FunctionWiring[]): string {
  const policiesText = renderPolicies(format, policies, {keyed: false, task: true})
  switch (format) {
    case 'json': {
      const [policy] = policies
      const [wiring] = wirings
      const entry = {
        policy: policy.document,
        environment: containerEnvironment(wiring, 'name', 'value'),
        comment: TASK_CONFIGURATION_NOTE,
        runtime: wiring.runtime,
        module: wiring.code,
        notes: wiring.notes,
      }
      return `${JSON.stringify(entry, null, 2)}\n`
    }

    case 'cloudformation':
    case 'sam': {
      const environments = policies.map((policy, i) =>
        cfnYaml(
          {Environment: containerEnvironment(wirings[i], 'Name', 'Value')},
          ` ${policy.functionName} (${policy.env}): in the container's entry of its AWS::ECS::TaskDefinition's ContainerDefinitions.\n ${TASK_CONFIGURATION_NOTE}`,
          trailer(wirings[i]),
        ),
      )
      return [policiesText, ...environments].join('---\n')
    }

    case 'terraform': {
      const names = identifiers(policies, (policy) => terraformLabel(policy).replace(/_secrets$/, '_environment'), 'Terraform local')
      const blocks = policies.map((policy, i) =>
        [
          hclComment(`${policy.functionName} (${policy.env}): in the container's definition, container_definitions = jsonencode([{..., environment = local.${names[i]}}])`),
          hclComment(TASK_CONFIGURATION_NOTE),
          'locals {',
          `  ${names[i]} = [`,
          ...Object.entries(wirings[i].environment).map(([key, value]) => `    { name = ${hclString(key)}, value = ${hclString(value)} },`),
          '  ]',
          '}',
          hclComment(trailerLines(wirings[i]).join('\n')),
        ].join('\n'),
      )
      return `${policiesText}\n${blocks.join('\n\n')}\n`
    }

    default: {
      // cdk: a container's environment is a Record, as a function's is.
      const names = identifiers(policies, (policy) => cdkName(policy).replace(/SecretStatements$/, 'Environment'), 'TypeScript name')
      const blocks = policies.map((policy, i) =>
        [
          tsComment(`${policy.functionName} (${policy.env}): taskDefinition.addContainer(..., {..., environment: ${names[i]}})`),
          tsComment(TASK_CONFIGURATION_NOTE),
          `export const ${names[i]}: Record<string, string> = {`,
          ...Object.entries(wirings[i].environment).map(([key, value]) => `  ${key}: ${tsString(value)},`),
          '}',
          tsComment(trailerLines(wirings[i]).join('\n')),
        ].join('\n'),
      )
      return `${policiesText}\n${blocks.join('\n\n')}\n`
    }
  }
}

/** A container definition's `environment`: a list of name/value pairs, as ECS takes it. */
function containerEnvironment<K extends string, V extends string>(wiring: FunctionWiring, nameKey: K, valueKey: V): Array<Record<K | V, string>> {
  return Object.entries(wiring.environment).map(([name, value]) => ({[nameKey]: name, [valueKey]: value}) as Record<K | V, string>)
}
