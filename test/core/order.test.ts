import {describe, expect, it} from 'vitest'

import {byPathSegments} from '../../src/core/order.js'

describe('byPathSegments', () => {
  it('orders a service before a longer service name that starts with it (segment first, not "-" before "/")', () => {
    const names = ['/staging/billing-reports/A', '/staging/billing/Z', '/staging/billing/A', '/staging/billing-reports/B']
    expect(names.sort(byPathSegments)).toEqual(['/staging/billing/A', '/staging/billing/Z', '/staging/billing-reports/A', '/staging/billing-reports/B'])
  })

  it('orders each segment by code point, whatever the locale would say, and a parent before its children', () => {
    expect(['b', 'a_key', 'B', 'A_KEY', 'a', 'A'].sort(byPathSegments)).toEqual(['A', 'A_KEY', 'B', 'a', 'a_key', 'b'])
    expect(['/p/a/x', '/p/a', '/p'].sort(byPathSegments)).toEqual(['/p', '/p/a', '/p/a/x'])
    expect(byPathSegments('/p/a', '/p/a')).toBe(0)
  })
})
