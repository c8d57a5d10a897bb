import {describe, expect, it} from 'vitest'

import {MANIFEST_SECTIONS, parseNeedsManifest, resolveNeeds} from '../../src/core/needs-manifest.js'

const GOOD = `service: api
functions:
  checkout: [DB_PASS, STRIPE_KEY]
  worker:   [DB_PASS]
`

describe('parseNeedsManifest', () => {
  it('reads the service and each function with its secrets and lines', () => {
    const manifest = parseNeedsManifest(GOOD, 'secrets.yml')
    expect(manifest.service).toBe('api')
    expect(manifest.functions.map((fn) => [fn.name, fn.line, fn.secrets.map((secret) => secret.name)])).toEqual([
      ['checkout', 3, ['DB_PASS', 'STRIPE_KEY']],
      ['worker', 4, ['DB_PASS']],
    ])
  })

  it('accepts block sequences and comments', () => {
    const manifest = parseNeedsManifest('# needs\nservice: api\nfunctions:\n  checkout:\n    - DB_PASS # primary\n    - STRIPE_KEY\n')
    expect(manifest.functions[0].secrets).toEqual([
      {name: 'DB_PASS', line: 5, fields: []},
      {name: 'STRIPE_KEY', line: 6, fields: []},
    ])
  })

  it('keeps the list of sections in one place (service, functions, tasks and environments)', () => {
    expect(MANIFEST_SECTIONS).toEqual(['service', 'functions', 'tasks', 'environments'])
  })

  it('reads ECS task definition families under tasks:, with or without functions:', () => {
    const both = parseNeedsManifest(`${GOOD}tasks:\n  web-prod: [DB_PASS]\n  jobs_prod:\n    runtime: python\n    secrets: [QUEUE_TOKEN]\n`)
    expect(both.tasks.map((task) => [task.name, task.line, task.secrets.map((secret) => secret.name), task.runtime])).toEqual([
      ['web-prod', 6, ['DB_PASS'], undefined],
      ['jobs_prod', 7, ['QUEUE_TOKEN'], 'python'],
    ])
    const alone = parseNeedsManifest('service: web\ntasks:\n  web-prod: [DB_PASS]\n')
    expect(alone.functions).toEqual([])
    expect(resolveNeeds(alone, 'prod').tasks.map((task) => task.secrets.map((secret) => secret.fullName))).toEqual([['/prod/web/DB_PASS']])
  })

  it.each([
    ['an unknown top-level key', 'service: api\nfuntions:\n  checkout: [DB_PASS]\n', 2, /unknown key "funtions"/],
    ['an environments section that is not a mapping', 'service: api\nfunctions:\n  checkout: [A]\nenvironments: [prod]\n', 4, /environments: must map each environment/],
    ['a function with no secrets (null)', 'service: api\nfunctions:\n  checkout:\n  worker: [A]\n', 3, /"checkout" declares no secrets/],
    ['a function with an empty list', 'service: api\nfunctions:\n  worker: [A]\n  checkout: []\n', 4, /"checkout" declares no secrets/],
    ['an invalid secret name', 'service: api\nfunctions:\n  checkout:\n    - DB_PASS\n    - "DB PASS"\n', 5, /the name "DB PASS" contains a space/],
    ['a name that looks like the ARN suffix', 'service: api\nfunctions:\n  checkout:\n    - DB_PASS-abcdef\n', 4, /ends in a hyphen and six characters/],
    ['a name YAML reads as a number', 'service: api\nfunctions:\n  checkout:\n    - DB_PASS\n    - 123\n', 5, /quote names/],
    ['a secret listed twice', 'service: api\nfunctions:\n  checkout: [A, B]\n  worker:\n    - A\n    - A\n', 6, /lists A twice/],
    ['an invalid service', 'service: a/b\nfunctions:\n  checkout: [A]\n', 1, /the service "a\/b" contains a "\/"/],
    ['a service that is a list', 'service: [api]\nfunctions:\n  checkout: [A]\n', 1, /service: must be one service name/],
    ['an invalid function name', 'service: api\nfunctions:\n  checkout: [A]\n  "check out": [A]\n', 4, /function name "check out"/],
    ['a function declared twice', 'service: api\nfunctions:\n  checkout: [A]\n  checkout: [B]\n', 4, /a key given twice in one mapping/],
    ['functions that is not a mapping', 'service: api\nfunctions: [checkout]\n', 2, /functions: must map each function/],
    ['a missing functions section', 'service: api\n', 1, /missing the functions: section \(or tasks:\)/],
    ['an invalid task family', 'service: api\ntasks:\n  web: [A]\n  "web:1": [A]\n', 4, /a task definition family is 1 to 255/],
    ['a task with no secrets', 'service: api\ntasks:\n  web: []\n', 3, /task "web" declares no secrets/],
    ['tasks that is not a mapping', 'service: api\ntasks: [web]\n', 2, /tasks: must map each task/],
    ['a missing service section', 'functions:\n  checkout: [A]\n', 1, /missing the service: section/],
    ['an empty file', '', 1, /empty/],
    ['a file that is a list', '- checkout\n', 1, /expected a mapping/],
    ['broken YAML', 'service: api\nfunctions:\n  checkout: [DB_PASS\n  worker: [A]\n', 4, /invalid YAML/],
    ['two YAML documents', 'service: api\n---\nfunctions: {}\n', 2, /more than one YAML document/],
  ])('refuses %s with its line and exit 2', (_label, text, line, message) => {
    let caught: unknown
    try {
      parseNeedsManifest(text, 'deploy/secrets.yml')
    } catch (error) {
      caught = error
    }

    expect(caught).toMatchObject({exitCode: 2, line})
    expect((caught as Error).message).toMatch(new RegExp(`^deploy/secrets\\.yml:${line}: `))
    expect((caught as Error).message).toMatch(message)
  })
})

describe('resolveNeeds', () => {
  it('turns every declared secret into an address in the environment', () => {
    const needs = resolveNeeds(parseNeedsManifest(GOOD), 'prod')
    expect(needs.scope.toString()).toBe('prod/api')
    expect(needs.functions.map((fn) => [fn.functionName, fn.secrets.map(String)])).toEqual([
      ['checkout', ['/prod/api/DB_PASS', '/prod/api/STRIPE_KEY']],
      ['worker', ['/prod/api/DB_PASS']],
    ])
  })

  it('refuses an invalid environment with exit 2', () => {
    expect(() => resolveNeeds(parseNeedsManifest(GOOD), 'prod/eu')).toThrow(expect.objectContaining({exitCode: 2, message: expect.stringMatching(/--env/)}))
  })

  it('reports a name too long for that environment at its line', () => {
    const long = 'N'.repeat(240)
    const manifest = parseNeedsManifest(`service: api\nfunctions:\n  checkout:\n    - A\n    - ${long}\n`)
    expect(() => resolveNeeds(manifest, 'production-eu-west')).toThrow(/^secrets\.yml:5: .*at most 256/)
  })
})

describe('a function with its runtime and fields (grant --runtime)', () => {
  const WIRED = `service: api
functions:
  checkout: [DB_PASS]
  billing:
    runtime: python
    secrets: [STRIPE_KEY, "DB:password", DB:username]
`

  it('reads runtime: and NAME:FIELD items, one secret per name with its fields', () => {
    const manifest = parseNeedsManifest(WIRED)
    expect(manifest.functions[0].runtime).toBeUndefined()
    expect(manifest.functions[1]).toMatchObject({name: 'billing', runtime: 'python'})
    expect(manifest.functions[1].secrets).toEqual([
      {name: 'STRIPE_KEY', line: 6, fields: []},
      {name: 'DB', line: 6, fields: ['password', 'username']},
    ])
    const needs = resolveNeeds(manifest, 'prod')
    expect(needs.functions[1].secrets.map(String)).toEqual(['/prod/api/STRIPE_KEY', '/prod/api/DB'])
    expect([...needs.functions[1].fields]).toEqual([['/prod/api/DB', ['password', 'username']]])
  })

  it.each([
    ['an unknown runtime', 'service: api\nfunctions:\n  billing:\n    runtime: ruby\n    secrets: [A]\n', 4, /runtime: is one of nodejs, python/],
    ['an unknown key of a function', 'service: api\nfunctions:\n  billing:\n    runtmie: python\n    secrets: [A]\n', 4, /unknown key "runtmie"/],
    ['a map with no secrets', 'service: api\nfunctions:\n  billing:\n    runtime: python\n', 3, /"billing" declares no secrets/],
    ['an empty field', 'service: api\nfunctions:\n  billing: ["DB:"]\n', 3, /one field of the key\/value secret/],
    ['the same field twice', 'service: api\nfunctions:\n  billing: ["DB:a", "DB:a"]\n', 3, /lists DB:a twice/],
  ])('refuses %s at its line', (_label, text, line, message) => {
    expect(() => parseNeedsManifest(text)).toThrow(expect.objectContaining({exitCode: 2, line, message: expect.stringMatching(message)}))
  })
})
