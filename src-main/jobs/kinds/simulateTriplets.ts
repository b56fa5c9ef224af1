import { join } from 'node:path'
import type { JobSpec } from '../../api/contract'
import { simulateTriplets as simulate } from '../../core/data/simulate'
import { readTable } from '../../files/readers'
import type { JobContext, JobOutput } from '../protocol'

type SimulateSpec = Extract<JobSpec, { kind: 'simulateTriplets' }>

export const SIMULATED_LABEL = 'simulated from SPoSE'

/** Simulated THINGS triplets from the bundled SPoSE embedding, stored with their soft labels. */
export async function simulateTriplets(spec: SimulateSpec, examplesDir: string, ctx: JobContext): Promise<JobOutput> {
  ctx.progress(0.05, 'Reading the SPoSE embedding')
  const table = await readTable(join(examplesDir, 'things', 'spose_embedding66d_rescaled.csv'))
  const dims = table.columns.filter((c) => c.kind === 'number' && /^\d+$/.test(c.name))
  const n = table.rows
  const p = dims.length
  const x = new Float32Array(n * p)
  dims.forEach((c, d) => c.numbers!.forEach((v, i) => (x[i * p + d] = v)))
  ctx.progress(0.2, spec.temperature ? 'Sampling choices' : 'Calibrating the temperature and sampling choices')
  const result = simulate(x, n, p, spec.count, spec.seed, spec.temperature)
  const name = `THINGS triplets ${SIMULATED_LABEL} (${spec.count.toLocaleString('en')}, seed ${spec.seed})`
  const meta = {
    simulated: SIMULATED_LABEL,
    embedding: 'SPoSE 66-d (Hebart et al. 2020/2023), resources/examples/things/spose_embedding66d_rescaled.csv',
    count: spec.count,
    objects: n,
    oddOneOut: 2,
    seed: spec.seed,
    temperature: result.temperature,
    temperatureCalibrated: spec.temperature === undefined,
    meanMaxProbability: result.meanMaxProbability,
  }
  return {
    result: { dataset: 'triplets', name, count: spec.count, objects: n, temperature: result.temperature, meanMaxProbability: result.meanMaxProbability, label: SIMULATED_LABEL },
    outputs: {
      triplets: { dtype: '<i4', shape: [spec.count, 3], data: result.indices },
      soft: { dtype: '<f4', shape: [spec.count, 3], data: result.soft },
    },
    records: [{ kind: 'triplets', name, sourcePath: 'simulated', output: 'triplets', meta, metaOutputs: { softLabels: 'soft' } }],
  }
}
