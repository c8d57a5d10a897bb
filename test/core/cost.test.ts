import {describe, expect, it} from 'vitest'

import {costLine, dollars, estimateCost, estimateWriteCalls, parsePrice, readPrice} from '../../src/core/cost.js'

describe('the cost estimate of a migration (list price $0.40 a secret a month, $0.05 per 10,000 calls)', () => {
  it('300 new secrets with one replica region are billed as 600: $240.00 a month', () => {
    const estimate = estimateCost({newSecrets: 300, replicaRegions: 1, apiCalls: estimateWriteCalls(300)})
    expect(estimate).toMatchObject({billedSecrets: 600, pricePerSecret: 0.4, listPrice: true, monthly: 240, apiCalls: 315})
    expect(estimate.apiCost).toBeCloseTo(0.001_575, 9)
    expect(costLine(estimate)).toBe(
      'Estimated cost: 300 new secrets x (1 + 1 replica region) x $0.40 = $240.00 a month, plus <$0.01 once for about 315 API calls (list price; --price-per-secret or pricePerSecret in secrets.yml sets yours).',
    )
  })

  it('uses the account\'s own price when given, and says so', () => {
    const estimate = estimateCost({newSecrets: 5000, replicaRegions: 2, apiCalls: 20_000, pricePerSecret: 0.25})
    expect(estimate.monthly).toBe(3750)
    expect(estimate.apiCost).toBeCloseTo(0.1, 9)
    expect(costLine(estimate)).toBe('Estimated cost: 5,000 new secrets x (1 + 2 replica regions) x $0.25 = $3,750.00 a month, plus $0.10 once for about 20,000 API calls (your price of $0.25 a secret).')
  })

  it('no new secrets: no new monthly charge, only the calls', () => {
    // Nothing to write: no line at all.
    expect(costLine(estimateCost({newSecrets: 0, replicaRegions: 0, apiCalls: 0}))).toBeUndefined()
    expect(costLine(estimateCost({newSecrets: 0, replicaRegions: 0, apiCalls: 1}))).toMatch(/^Estimated cost: no new secrets, so no new monthly charge; <\$0\.01 once for about 1 API call \(/)
  })

  it('counts the calls of writes, read-backs (20 a call) and deletion re-checks (10 a batch)', () => {
    expect(estimateWriteCalls(0)).toBe(0)
    expect(estimateWriteCalls(1)).toBe(2)
    expect(estimateWriteCalls(40, 25)).toBe(40 + 2 + 3)
  })

  it('reads prices as plain decimals, nothing else', () => {
    expect(parsePrice('0.40')).toBe(0.4)
    expect(parsePrice('1')).toBe(1)
    for (const bad of ['', '-1', '0,40', '1e2', '$0.40', '101', '0.123456']) expect(parsePrice(bad), bad).toBeUndefined()
    expect(dollars(0)).toBe('$0.00')
    expect(dollars(0.004)).toBe('<$0.01')
  })

  it('says what a price must be in the words of where it was given, the flag or the file', () => {
    expect(readPrice('0.40', '--price-per-secret')).toEqual({price: 0.4})
    expect(readPrice('forty', '--price-per-secret')).toEqual({problem: '--price-per-secret must be a price in USD a secret a month, such as 0.40 (at most 100).'})
    expect(readPrice('101', 'environment "prod": pricePerSecret')).toEqual({problem: 'environment "prod": pricePerSecret must be a price in USD a secret a month, such as 0.40 (at most 100).'})
  })
})
