import {readFileSync} from 'node:fs'

import {describe, expect, it} from 'vitest'
import {parse as parseYaml} from 'yaml'

import {Scope} from '../../src/core/address.js'
import {handlerSnippet, README_MAX_AGE, README_READINGS, RUNTIMES} from '../../src/core/runtime-snippets.js'
import {functionWiring, groupSpecs} from '../../src/core/runtime-wiring.js'
import {ROOT} from '../helpers/cli.js'

const README = readFileSync(`${ROOT}README.md`, 'utf8')
const SECTION = README.slice(README.indexOf('#### Reading secrets at run time'), README.indexOf('### `secrets audit`'))
const COMMAND = 'secrets grant prod/api --function checkout --secret DB_PASS --secret DB:username --secret DB:password --runtime nodejs --format sam'

/** The fenced block right after `<!-- handler: RUNTIME -->`. */
function readmeHandler(runtime: string): string {
  const match = new RegExp(`<!-- handler: ${runtime} -->\\n\`\`\`\\w+\\n([\\s\\S]*?)\\n\`\`\`\\n`).exec(SECTION)
  if (!match) throw new Error(`README has no handler block for ${runtime}`)
  return `${match[1]}\n`
}

describe('README "Reading secrets at run time"', () => {
  it.each(RUNTIMES)('shows the %s handler exactly as the templates build it', (runtime) => {
    expect(readmeHandler(runtime)).toBe(handlerSnippet(runtime, README_READINGS, README_MAX_AGE))
  })

  it.each(RUNTIMES)('shows the %s handler and the environment that the grant it quotes prints', (runtime) => {
    expect(SECTION).toContain(`$ ${COMMAND}`)
    const specs = COMMAND.split(' --secret ').slice(1).map((part) => part.split(' ')[0])
    const scope = Scope.parse('prod/api')
    const needs = groupSpecs(specs).map((spec) => ({address: scope.secret(spec.name), fields: spec.fields}))
    const wiring = functionWiring('checkout', runtime, needs, {rotation: new Map()})
    expect(readmeHandler(runtime)).toBe(wiring.code)
    const yaml = /```yaml\n(Environment:[\s\S]*?)```/.exec(SECTION)?.[1] ?? ''
    expect(parseYaml(yaml)).toEqual({Environment: {Variables: wiring.environment}})
  })
})

describe('README "ECS tasks"', () => {
  const ecs = README.slice(README.indexOf('#### ECS tasks'), README.indexOf('### `secrets audit`'))

  it('shows the Node.js module exactly as the grant it quotes prints it', () => {
    const match = /<!-- task module: nodejs -->\n```js\n([\s\S]*?)\n```\n/.exec(ecs)
    expect(match).not.toBeNull()
    const command = 'secrets grant prod/web --task web-prod --secret DB_PASS --secret DB:username --secret DB:password --runtime nodejs --format cloudformation'
    expect(ecs).toContain(command)
    const specs = command.split(' --secret ').slice(1).map((part) => part.split(' ')[0])
    const scope = Scope.parse('prod/web')
    const needs = groupSpecs(specs).map((spec) => ({address: scope.secret(spec.name), fields: spec.fields}))
    expect(`${match?.[1]}\n`).toBe(functionWiring('web-prod', 'nodejs', needs, {rotation: new Map()}, 'library', true).code)
  })
})
