/**
 * Which YAML and JSON files are worth parsing, told from their text without building them. A template
 * scan reads has one of a few top-level keys (`AWSTemplateFormatVersion`, `Resources`, `Transform`,
 * `containerDefinitions`, `service`); a vendored SDK's data file or a package manifest has none, and
 * parsing it in full is what made a large repository take minutes. The check is linear and allocates
 * nothing per value, so a 3 MB JSON file costs milliseconds instead of seconds.
 */

/** Top-level keys of the formats scan reads: CloudFormation (SAM, CDK), an ECS task definition, Serverless. */
const TEMPLATE_KEYS = new Set(['AWSTemplateFormatVersion', 'Resources', 'Transform', 'containerDefinitions', 'service'])

/** A YAML block mapping's top-level key: at the start of a line, maybe quoted, then `:`. */
const YAML_TOP_LEVEL_KEY = /^["']?(AWSTemplateFormatVersion|Resources|Transform|containerDefinitions|service)["']?[ \t]*:/m

/** The structural characters of JSON (and of YAML's flow style) and the quotes that open a string. */
const STRUCTURE = /[{}[\]"']/g
const DOUBLE_QUOTED = /"(?:[^"\\]|\\[\s\S])*"/y
const SINGLE_QUOTED = /'(?:[^']|'')*'/y
const KEY_COLON = /[ \t\r\n]*:/y

/** True when the text may be a template scan reads, so it is worth a full parse. */
export function mayHoldTemplate(text: string): boolean {
  const start = /^(?:\uFEFF)?[\s]*/.exec(text)?.[0].length ?? 0
  return text[start] === '{' ? flowHasTemplateKey(text, start) : YAML_TOP_LEVEL_KEY.test(text)
}

/**
 * A JSON document (or a YAML flow mapping): whether a key of the outermost object is a template key.
 * Strings are skipped whole, so brackets inside them do not count; unquoted flow keys are not looked
 * for (no template is written that way).
 */
function flowHasTemplateKey(text: string, start: number): boolean {
  let depth = 0
  STRUCTURE.lastIndex = start
  for (let match = STRUCTURE.exec(text); match !== null; match = STRUCTURE.exec(text)) {
    const char = match[0]
    if (char === '{' || char === '[') depth++
    else if (char === '}' || char === ']') {
      depth--
      if (depth === 0) return false
    } else {
      const quoted = char === '"' ? DOUBLE_QUOTED : SINGLE_QUOTED
      quoted.lastIndex = match.index
      const string = quoted.exec(text)
      if (string === null) return true
      const end = match.index + string[0].length
      if (depth === 1 && TEMPLATE_KEYS.has(string[0].slice(1, -1))) {
        KEY_COLON.lastIndex = end
        if (KEY_COLON.test(text)) return true
      }

      STRUCTURE.lastIndex = end
    }
  }

  // Unbalanced: let the parser say what is wrong, if it is a template at all.
  return depth !== 0
}

/**
 * The Terraform blocks core/scan/terraform.ts reads: functions, task definitions, parameters, IAM and
 * Secrets Manager. A `.tf` file naming none of them (variables, outputs, providers, an S3 bucket) has
 * nothing scan judges, and is not handed to the HCL parser.
 */
const TERRAFORM_TYPES_READ = /\b(?:aws_lambda_function|aws_ecs_task_definition|aws_ssm_parameter|aws_iam_|aws_secretsmanager_)/

/** True when a `.tf` file may declare something scan judges, so it is worth parsing. */
export function mayHoldTerraformScanned(text: string): boolean {
  return TERRAFORM_TYPES_READ.test(text)
}
