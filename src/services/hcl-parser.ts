/**
 * The HCL parser scan and grant --check hand to the pure core (core/scan/terraform.ts):
 * @cdktf/hcl2json, HashiCorp's own hcl library compiled to WebAssembly and shipped in the npm package
 * (no network). Loading it is I/O (it reads and compiles main.wasm.gz), so it happens here, outside
 * core, and only on the first .tf file of a run.
 */
import type {HclParser} from '../core/scan/terraform.js'

let parser: Promise<typeof import('@cdktf/hcl2json')> | undefined

/** HCL text to hcl2json's JSON form; rejects on a syntax error with HCL's diagnostic. */
export const parseHcl: HclParser = async (file, text) => {
  const {parse} = await (parser ??= import('@cdktf/hcl2json'))
  return parse(file, text)
}
