/**
 * `items` cut into consecutive batches of at most `size` (the last one may be shorter), in order:
 * the shape of every batched AWS call (20 names a BatchGetSecretValue, 10 a GetParameters).
 */
export function inBatches<T>(items: readonly T[], size: number): T[][] {
  const batches: T[][] = []
  for (let start = 0; start < items.length; start += size) batches.push(items.slice(start, start + size))
  return batches
}
