/** The exit code a typed error carries, or undefined when the promise resolves. */
export async function exitCodeOf(promise: Promise<unknown>): Promise<number | undefined> {
  try {
    await promise
  } catch (error) {
    return (error as {exitCode?: number}).exitCode
  }

  return undefined
}
