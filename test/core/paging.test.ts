import {describe, expect, it} from 'vitest'

import {ExitCode, SecretsError} from '../../src/core/errors.js'
import {boundedPages, EndlessListingError, ListingStoppedError, type PageBound} from '../../src/core/paging.js'

const BOUND: PageBound = {action: 'ssm:GetParametersByPath', token: 'NextToken', maxPages: 5, why: '5 pages, for this test'}

interface Page {
  n: number
  NextToken?: string
}

/** A paginator over the given tokens (one page each, the last page's token undefined ends it), counting the pages asked for and whether it was closed. */
function paginator(tokens: ReadonlyArray<string | undefined>, options: {forever?: (n: number) => string; failAt?: number; beforeAnswer?: (n: number) => void} = {}) {
  const state = {asked: 0, closed: false}
  async function* pages(): AsyncGenerator<Page> {
    try {
      for (let n = 1; ; n++) {
        state.asked = n
        options.beforeAnswer?.(n)
        if (options.failAt === n) throw new Error('aborted')
        const token = options.forever ? options.forever(n) : tokens[n - 1]
        yield {n, ...(token === undefined ? {} : {NextToken: token})}
        if (token === undefined) return
      }
    } finally {
      state.closed = true
    }
  }

  return {pages: pages(), state}
}

async function read(pages: AsyncIterable<Page>): Promise<{pages: number[]; error?: unknown}> {
  const seen: number[] = []
  try {
    for await (const page of pages) seen.push(page.n)
  } catch (error) {
    return {pages: seen, error}
  }

  return {pages: seen}
}

describe('boundedPages', () => {
  it('hands out every page of a listing that ends, as the paginator gives them', async () => {
    const {pages, state} = paginator(['a', 'b', 'c', undefined])
    expect(await read(boundedPages(pages, BOUND))).toEqual({pages: [1, 2, 3, 4]})
    expect(state.asked).toBe(4)
  })

  it.each([
    ['the same token again at once', ['a', 'a'], 2],
    ['a token from pages before (a circle)', ['a', 'b', 'c', 'a'], 4],
  ])('stops on %s with exit 6, after handing out the page that repeated it', async (_label, tokens, pagesRead) => {
    const {pages, state} = paginator(tokens, {forever: (n) => tokens[(n - 1) % tokens.length]})
    const result = await read(boundedPages(pages, BOUND))
    expect(result.pages).toHaveLength(pagesRead)
    expect(result.error).toBeInstanceOf(EndlessListingError)
    expect((result.error as SecretsError).exitCode).toBe(ExitCode.unavailable)
    expect((result.error as Error).message).toBe(
      `AWS answered ssm:GetParametersByPath with a page token it had given before (page ${pagesRead}): the listing would go round forever, so it was stopped.`,
    )
    // No page is asked for after the repeat, and the SDK's paginator is closed.
    expect(state.asked).toBe(pagesRead)
    expect(state.closed).toBe(true)
  })

  it('stops a listing whose tokens are fresh forever at its page cap, with exit 6 and why that many', async () => {
    const {pages, state} = paginator([], {forever: (n) => `fresh-${n}`})
    const result = await read(boundedPages(pages, BOUND))
    expect(result.pages).toEqual([1, 2, 3, 4, 5])
    expect(result.error).toBeInstanceOf(EndlessListingError)
    expect((result.error as Error).message).toBe('ssm:GetParametersByPath was still paging after 5 pages, more than the largest account can fill (5 pages, for this test), so the listing was stopped.')
    expect(state.asked).toBe(5)
    expect(state.closed).toBe(true)
  })

  it('takes a listing of exactly the cap whose last page has no token', async () => {
    const {pages} = paginator(['a', 'b', 'c', 'd', undefined])
    expect(await read(boundedPages(pages, BOUND))).toEqual({pages: [1, 2, 3, 4, 5]})
  })

  it('asks for no page when the signal is already aborted', async () => {
    const controller = new AbortController()
    controller.abort('SIGTERM')
    const {pages, state} = paginator([], {forever: (n) => `fresh-${n}`})
    const result = await read(boundedPages(pages, BOUND, controller.signal))
    expect(result.pages).toEqual([])
    expect(result.error).toBeInstanceOf(ListingStoppedError)
    expect(state.asked).toBe(0)
  })

  it.each([
    ['SIGTERM', ExitCode.terminated],
    ['SIGINT', ExitCode.interrupted],
  ] as const)('stops before the next page once the signal is aborted (%s: exit %i)', async (signal, exitCode) => {
    const controller = new AbortController()
    const {pages, state} = paginator([], {forever: (n) => `fresh-${n}`})
    const seen: number[] = []
    let error: unknown
    try {
      for await (const page of boundedPages(pages, BOUND, controller.signal)) {
        seen.push(page.n)
        if (page.n === 2) controller.abort(signal)
      }
    } catch (caught) {
      error = caught
    }

    expect(seen).toEqual([1, 2])
    expect(state.asked).toBe(2)
    expect(state.closed).toBe(true)
    expect(error).toBeInstanceOf(ListingStoppedError)
    expect(error).toMatchObject({code: 'INTERRUPTED', exitCode, message: `Stopped by ${signal} before the listing (ssm:GetParametersByPath) ended.`})
  })

  it('answers a request the signal aborted with the stop, not with the request failure', async () => {
    const controller = new AbortController()
    // Page 3's request fails because the signal aborted it (as the SDK rejects an aborted request).
    const {pages} = paginator([], {forever: (n) => `fresh-${n}`, failAt: 3, beforeAnswer: (n) => n === 3 && controller.abort('SIGTERM')})
    const result = await read(boundedPages(pages, BOUND, controller.signal))
    expect(result.pages).toEqual([1, 2])
    expect(result.error).toBeInstanceOf(ListingStoppedError)
    expect((result.error as SecretsError).exitCode).toBe(ExitCode.terminated)
  })

  it('passes a failure it did not cause through as it is', async () => {
    const {pages} = paginator([], {forever: (n) => `fresh-${n}`, failAt: 2})
    const result = await read(boundedPages(pages, BOUND, new AbortController().signal))
    expect(result.pages).toEqual([1])
    expect(result.error).not.toBeInstanceOf(SecretsError)
    expect((result.error as Error).message).toBe('aborted')
  })
})
