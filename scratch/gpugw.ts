import { readFileSync } from 'node:fs'
import { chooseBackend } from '../src-main/core/compute/backend'
import { tfjsCrossProduct } from '../src-main/core/gw/crossProduct'
import { entropicGw, GW_DEFAULTS } from '../src-main/core/gw/entropicGw'
async function main() {
  process.env.VK_ICD_FILENAMES = '/usr/lib/chromium/vk_swiftshader_icd.json'
  const backend = process.argv[2] as 'webgpu' | 'wasm'
  await chooseBackend({ force: backend })
  const ref = JSON.parse(readFileSync('tests/fixtures/gw/reference.json', 'utf8'))
  const [c1, c2] = [Float64Array.from(ref.c1), Float64Array.from(ref.c2)]
  const n = ref.n
  const uniform = new Float64Array(n).fill(1 / n)
  const product = tfjsCrossProduct({ n, c: c1, factors: null }, { n, c: c2, factors: null })
  let t = performance.now()
  const r = await entropicGw(c1, c2, uniform, uniform, { ...GW_DEFAULTS, epsilon: Number(process.argv[3] ?? ref.epsilon), maxIterations: Number(process.argv[4] ?? 1000), product, iteration: (i, e, l) => { if (i % 5 === 0 || i < 4) console.log(i, e, l, (performance.now() - t).toFixed(0)) } })
  console.log(backend, 'n', n, 'loss', r.loss, 'ref', ref.loss, 'outer', r.iterations, 'sinkhorn', r.sinkhornIterations, 'unconv', r.unconvergedSinkhorn, 'ms', (performance.now() - t).toFixed(0))
}
void main()
