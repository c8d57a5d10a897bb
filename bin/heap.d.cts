/** Types of bin/heap.cjs, for the tests that import it. */
export declare const BATCH_HEAP_FLAGS: readonly string[]
export declare function favourMemoryOverSpeed(): void
