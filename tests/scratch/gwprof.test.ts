import { it } from 'vitest'
import * as tf from '@tensorflow/tfjs'
import '@tensorflow/tfjs-backend-wasm'
import { sposeRows, inputMatrix } from '../../src-main/bench/inputs'
import { rdmFromFeatures } from '../../src-main/core/metrics/rdm'
import { gwCrossProduct } from '../../src-main/jobs/gwProductPool'
import { entropicGw, GW_DEFAULTS } from '../../src-main/core/gw/entropicGw'
import { uniformMarginal } from '../../src-main/core/gw/marginals'
import * as sk from '../../src-main/core/gw/sinkhorn'

it('profile gw', async () => {
  await tf.setBackend('wasm')
  const n = 1854
  const x = sposeRows(n)
  const noise = inputMatrix(n, 66, 0.3)
  const sides = [x, Float64Array.from(x, (v, k) => v + 0.3 * noise[k]!)].map((f) => {
    const c = rdmFromFeatures(f, n, 66, 'euclidean')
    const top = c.reduce((m, v) => Math.max(m, v), 0)
    return { n, c: c.map((v) => v / top), factors: null }
  })
  const u = uniformMarginal(n)
  const product = await gwCrossProduct(sides[0]!, sides[1]!, 'wasm', 2, '/work/main/out/main/gwProductWorker.js')
  let tp = 0
  const timed = { ...product, multiply: async (t: Float64Array) => { const s = performance.now(); const r = await product.multiply(t); tp += performance.now() - s; return r } }
  const s0 = performance.now()
  let last = s0
  const r = await entropicGw(sides[0]!.c, sides[1]!.c, u, u, { ...GW_DEFAULTS, epsilon: 0.003, product: timed, iteration: (i, e, l) => { const now = performance.now(); if (i % 50 === 0) console.log(i, e, l, (now - last).toFixed(0)); last = now } })
  const total = performance.now() - s0
  console.log({ total, tp, loss: r.loss, it: r.iterations, sk: r.sinkhornIterations })
  product.dispose()
  require('fs').writeFileSync('/tmp/plan.f64', Buffer.from(r.plan.buffer))
}, 600000)
