/**
 * How a collector of `secrets audit` calls its reader: an AccessDenied becomes a coverage gap in the
 * report; anything else stops the audit (see services/audit.ts).
 */
import {AccessDeniedError} from '../../core/errors.js'
import type {CoverageGap} from '../../core/audit/findings.js'

/**
 * A reader's failure: an AccessDenied is recorded as a gap and answered with `undefined`. Missing
 * credentials are not a gap: every call would fail the same way, so the audit stops (exit 5) instead.
 */
function asGap(gaps: CoverageGap[], gap: Omit<CoverageGap, 'reason'>, error: unknown): undefined {
  const name = (error as {aws?: {name?: string}})?.aws?.name
  if (error instanceof AccessDeniedError && name !== 'CredentialsProviderError') {
    gaps.push({...gap, reason: `access denied (${name ?? 'AccessDenied'})`})
    return undefined
  }

  throw error
}

/** Calls a reader; a denial becomes a gap (see asGap). */
export async function guarded<T>(gaps: CoverageGap[], gap: Omit<CoverageGap, 'reason'>, call: () => Promise<T>): Promise<T | undefined> {
  try {
    return await call()
  } catch (error) {
    return asGap(gaps, gap, error)
  }
}

/**
 * A reader's pages until the end or the first denied page (a gap); what came before is kept. Only
 * the reader's own failures are judged: an error of the caller's loop body passes through as is.
 */
export async function* guardedPages<T>(gaps: CoverageGap[], gap: Omit<CoverageGap, 'reason'>, pages: AsyncIterable<T>, before?: () => void): AsyncGenerator<T> {
  const iterator = pages[Symbol.asyncIterator]()
  for (;;) {
    before?.()
    let next: IteratorResult<T>
    try {
      next = await iterator.next()
    } catch (error) {
      return asGap(gaps, gap, error)
    }

    if (next.done) return
    yield next.value
  }
}
