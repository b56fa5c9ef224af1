import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { chooseBackend } from '../src-main/core/compute/backend'
import { distill, DISTILL_DEFAULTS } from '../src-main/core/alignet/distill'
import { augmentation, imageBatches, prepareStudent } from '../src-main/models/student'
async function main() {
  const backend = process.argv[2] as 'wasm' | 'cpu'
  const batch = Number(process.argv[3] ?? 4)
  const steps = Number(process.argv[4] ?? 2)
  await chooseBackend({ force: backend })
  const dir = 'resources/examples/langlois25'
  const files = readdirSync(dir).filter((f) => f.endsWith('.jpg')).map((f) => join(dir, f))
  const t0 = performance.now()
  const prepared = await prepareStudent('mobilenet_v2', undefined, 1024, 0, backend)
  console.log('backend', prepared.backend, prepared.note, 'prepare ms', (performance.now() - t0).toFixed(0))
  const count = 40
  const indices = Int32Array.from({ length: 3 * count }, (_, k) => (k * 7 + Math.floor(k / 3)) % files.length)
  const similarities = Float32Array.from({ length: 3 * count }, (_, k) => Math.sin(k))
  const t = performance.now()
  const out = await distill(prepared.student, prepared.pretrained, { indices, similarities, count }, imageBatches(files, prepared.model.inputSize, augmentation('flip', 0)), { ...DISTILL_DEFAULTS, steps, batchSize: batch, warmupSteps: 1 }, { step: (s) => console.log('step', s.step, s.loss.toFixed(5), (performance.now() - t).toFixed(0)) })
  console.log(backend, 'batch', batch, 'steps', out.length, 'ms/step', ((performance.now() - t) / steps).toFixed(0), 'rss MiB', (process.memoryUsage().rss / 2 ** 20).toFixed(0))
}
void main()
