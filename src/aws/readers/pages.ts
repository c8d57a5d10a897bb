import {type AwsCallContext, translateAwsError} from '../errors.js'

/**
 * An SDK paginator's pages, mapped to the core's types; a failing page rejects with the translated
 * error (the pages before it were already handed out, so a caller keeps them).
 */
export async function* translatedPages<P, T>(pages: AsyncIterable<P>, context: AwsCallContext, map: (page: P) => T): AsyncGenerator<T> {
  try {
    for await (const page of pages) yield map(page)
  } catch (error) {
    throw translateAwsError(error, context)
  }
}

/** One SDK call, its failure translated. */
export async function translated<T>(context: AwsCallContext, call: () => Promise<T>): Promise<T> {
  try {
    return await call()
  } catch (error) {
    throw translateAwsError(error, context)
  }
}
