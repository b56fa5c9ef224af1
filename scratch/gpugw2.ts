import { chooseBackend } from '../src-main/core/compute/backend'
import { randomGenerator } from '../src-main/core/data/simulate'
import { tfjsCrossProduct } from '../src-main/core/gw/crossProduct'
import { entropicGw, GW_DEFAULTS } from '../src-main/core/gw/entropicGw'
import { rdmFromFeatures } from '../src-main/core/metrics/rdm'
async function main() {
  process.env.VK_ICD_FILENAMES = '/usr/lib/chromium/vk_swiftshader_icd.json'
  process.env.XDG_RUNTIME_DIR = '/tmp'
  await chooseBackend({ force: process.argv[2] as 'webgpu' })
  const random = randomGenerator(21)
  const m = 60
  const cloud = Float64Array.from({ length: m * 4 }, () => random())
  const copy = cloud
  const sides = [cloud, copy].map((x) => ({ n: m, c: rdmFromFeatures(x, m, 4, 'euclidean'), factors: null }))
  const uniform = new Float64Array(m).fill(1 / m)
  const product = tfjsCrossProduct(sides[0]!, sides[1]!)
  const t = performance.now()
  const r = await entropicGw(sides[0]!.c, sides[1]!.c, uniform, uniform, { ...GW_DEFAULTS, epsilon: 0.02, product, iteration: (i, e, l) => { if (i % 10 === 0) console.log(i, e, l, (performance.now() - t).toFixed(0)) } })
  console.log('outer', r.iterations, 'sinkhorn', r.sinkhornIterations, 'unconv', r.unconvergedSinkhorn, 'ms', (performance.now() - t).toFixed(0), r.loss)
}
void main()
