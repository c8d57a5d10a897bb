import {describe, expect, it} from 'vitest'

import {scanManyForSecrets} from '../../../src/core/audit/secret-scan.js'
import type {ScanFinding} from '../../../src/core/scan/findings.js'
import {scanFile} from '../../../src/core/scan/scan-file.js'
import {parseHcl} from '../../../src/services/hcl-parser.js'

async function findingsOf(text: string): Promise<ScanFinding[]> {
  const result = await scanFile('main.tf', text, scanManyForSecrets, parseHcl)
  if (result.kind !== 'scanned') throw new Error(`not scanned: ${JSON.stringify(result)}`)
  return result.findings
}

const lineOf = (text: string, needle: string) => text.split('\n').findIndex((line) => line.includes(needle)) + 1

const task = (definitions: string) => `resource "aws_ecs_task_definition" "jobs" {
  family                = "jobs-prod"
  container_definitions = ${definitions}
}
`

describe('Terraform ECS environment positions', () => {
  const jsonencode = task(`jsonencode([{
    name = "jobs"
    environment = [
      {
        value = "first-literal-value"
        name  = "FIRST_PASSWORD"
      },
      {
        name  = "SECOND_PASSWORD"
        value = "second-literal-value"
      },
      { value = "third-literal-value", name = "THIRD_PASSWORD" },
    ]
  }])`)
  const heredoc = task(`<<EOF
[{
  "name": "jobs",
  "environment": [
    {
      "value": "first-literal-value",
      "name": "FIRST_PASSWORD"
    },
    {
      "name": "SECOND_PASSWORD",
      "value": "second-literal-value"
    },
    {"value": "third-literal-value", "name": "THIRD_PASSWORD"}
  ]
}]
EOF`)

  for (const [form, text] of [
    ['jsonencode', jsonencode],
    ['a heredoc', heredoc],
  ]) {
    it(`points at the value of the entry itself, whichever of its keys comes first, in ${form}`, async () => {
      const findings = await findingsOf(text)
      const at = Object.fromEntries(findings.map((item) => [item.variable, {line: item.line, column: item.column}]))
      expect(at['jobs/FIRST_PASSWORD'].line).toBe(lineOf(text, 'first-literal-value'))
      expect(at['jobs/SECOND_PASSWORD'].line).toBe(lineOf(text, 'second-literal-value'))
      expect(at['jobs/THIRD_PASSWORD'].line).toBe(lineOf(text, 'third-literal-value'))
      const third = text.split('\n')[at['jobs/THIRD_PASSWORD'].line - 1]
      expect(third.slice(at['jobs/THIRD_PASSWORD'].column - 1)).toMatch(/^"third-literal-value"/)
    })
  }

  it('points at the entry of each container when two containers use the same name', async () => {
    const text = task(`jsonencode([
    { name = "web", environment = [{ name = "API_PASSWORD", value = "web-literal" }] },
    { name = "worker", environment = [
      { value = "worker-literal", name = "API_PASSWORD" },
    ] },
  ])`)
    const findings = await findingsOf(text)
    expect(findings.map((item) => [item.variable, item.line])).toEqual([
      ['web/API_PASSWORD', lineOf(text, 'web-literal')],
      ['worker/API_PASSWORD', lineOf(text, 'worker-literal')],
    ])
  })
})
