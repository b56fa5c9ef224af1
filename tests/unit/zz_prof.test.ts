import { it } from 'vitest'
import { chooseBackend } from '../../src-main/core/compute/backend'
import { probeInputs } from '../../src-main/bench/inputs'
import { PROBE_DEFAULTS, trainProbe } from '../../src-main/core/probe/train'
import { useSwiftShader } from '../helpers/swiftshader'
it('prof', async () => {
  useSwiftShader()
  await chooseBackend({ force: (process.env.B as 'webgpu') ?? 'webgpu' })
  const p = Number(process.env.P ?? 16)
  const { x, train, validation } = probeInputs(200_000, 1854, p)
  for (const on of ['device', 'host'] as const) {
    const t0 = performance.now()
    const r = await trainProbe(x, 1854, p, train, validation, { ...PROBE_DEFAULTS, batchSize: 4096, maxEpochs: 2, patience: 5, shuffle: false, tripletsOn: on })
    console.log(on, 'steps', 2 * Math.ceil(train.count / 4096), 'ms/step', (performance.now() - t0) / (2 * Math.ceil(train.count / 4096)), r.epochs.at(-1))
  }
}, 600_000)
