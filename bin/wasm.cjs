'use strict'
// V8 settings for the commands that parse Terraform: scan, and grant --check on a .tf file. Their HCL
// parser is HashiCorp's hcl library compiled from Go to WebAssembly, 6.5 MB of code
// (src/services/hcl-parser.ts runs it in a worker thread).
//
// By default V8 compiles a module with its baseline compiler, Liftoff, then recompiles each function
// that runs hot with its optimising compiler on background threads. For this module that is most of a
// short run's CPU, and on Node 20 and 22 a process does not end before every background compilation
// has (the parse is done, the report printed, and the process waits on them). Liftoff's code alone
// parses a usual .tf file faster than the mix, since a batch of files stops paying for recompilation.
//
// Set before the first bundle loads, never later: V8 rejects a code cache made under other flags
// (bin/heap.cjs says more).

const WASM_FLAGS = ['--liftoff-only']

/** Keeps this process's WebAssembly on its baseline compiler. */
function baselineWasmOnly() {
  const v8 = require('node:v8')
  for (const flag of WASM_FLAGS) v8.setFlagsFromString(flag)
}

module.exports = {WASM_FLAGS, baselineWasmOnly}
