import {describe, expect, it} from 'vitest'

import {Scope} from '../../src/core/address.js'
import {SecretValue} from '../../src/core/secret-value.js'
import {getAllSecrets} from '../../src/services/get.js'
import {listSecrets} from '../../src/services/list.js'
import {MemoryStore} from '../../src/stores/memory-store.js'

describe('listSecrets', () => {
  it('orders names by code point, as get --all does, whatever the locale would say', async () => {
    const store = new MemoryStore()
    const scope = Scope.of('prod', 'api')
    // localeCompare puts a before A and _ before letters; code-point order puts capitals first.
    for (const name of ['b_key', 'B', 'a', 'A_KEY', 'a_key', 'AB', 'A']) {
      await store.put(`${scope.prefix}${name}`, SecretValue.fromString('v'), {overwrite: false})
    }

    const listed = await listSecrets(store, scope.prefix, {})
    const shortNames = listed.map((secret) => secret.shortName)
    expect(shortNames).toEqual(['A', 'AB', 'A_KEY', 'B', 'a', 'a_key', 'b_key'])
    expect(shortNames).toEqual([...(await getAllSecrets(store, scope)).keys()])
  })
  it('lists a whole environment service by service: billing before billing-reports', async () => {
    const store = new MemoryStore()
    for (const name of ['/staging/billing-reports/A', '/staging/billing/TOKEN', '/staging/billing/API_KEY']) {
      await store.put(name, SecretValue.fromString('v'), {overwrite: false})
    }

    const listed = await listSecrets(store, '/staging/', {})
    expect(listed.map((secret) => secret.name)).toEqual(['/staging/billing/API_KEY', '/staging/billing/TOKEN', '/staging/billing-reports/A'])
  })
})
