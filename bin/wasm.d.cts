/** Types of bin/wasm.cjs, for the tests that import it. */
export declare const WASM_FLAGS: readonly string[]
export declare function baselineWasmOnly(): void
