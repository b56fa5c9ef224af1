// The benchmark on a GPU machine: our kernels on tfjs-webgpu (Dawn) and the same cases in PyTorch on the same GPU,
// in one command. Bundled by `npm run bench:gpu` (see bench/gpu-pack.sh); run there as
//   /tmp/node gpu.cjs --out $OUT/gpu.json      (from .gpu/, with the repository one level up)
import { writeFileSync } from 'node:fs'
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { BENCH_CASES, timeCase, type CaseName } from '../src-main/bench/cases'
import { chooseBackend } from '../src-main/core/compute/backend'

const REPEATS = 10
const median = (v: number[]): number => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!

async function main(): Promise<void> {
  const outIndex = process.argv.indexOf('--out')
  const out = outIndex > 0 ? process.argv[outIndex + 1] : undefined
  const quick = process.argv.includes('--quick')
  const choice = await chooseBackend({ force: 'webgpu' })
  if (choice.name !== 'webgpu') throw new Error(`no WebGPU here: ${JSON.stringify(choice.attempts)}`)
  const script = join(__dirname, '..', 'bench', 'reference', 'cases.py')
  const cases = []
  for (const name of Object.keys(BENCH_CASES) as CaseName[]) {
    const spec = BENCH_CASES[name]
    for (const size of quick ? spec.sizes.quick : spec.sizes.full) {
      const ours = await timeCase(spec.prepare(size), REPEATS)
      const torch = spawnSync('python3', [script, name, String(size), String(REPEATS), '--torch'], { encoding: 'utf8' })
      const reference = torch.status === 0 ? (JSON.parse(torch.stdout.trim().split('\n').pop()!) as { implementation: string; milliseconds: number[]; checksum: number }) : null
      const row = {
        case: name,
        size,
        description: spec.describe(size),
        oursMs: median(ours.milliseconds),
        referenceMs: reference ? median(reference.milliseconds) : null,
        ratio: reference ? median(ours.milliseconds) / median(reference.milliseconds) : null,
        agree: reference ? Math.abs(ours.checksum - reference.checksum) <= 1e-3 * Math.max(1, Math.abs(reference.checksum)) : null,
        reference: reference?.implementation ?? `PyTorch failed: ${torch.stderr.trim().split('\n').pop()}`,
      }
      cases.push(row)
      process.stderr.write(`${JSON.stringify(row)}\n`)
    }
  }
  const report = { date: new Date().toISOString(), adapter: choice.adapter, repeats: REPEATS, cases }
  const text = `${JSON.stringify(report, null, 2)}\n`
  if (out) writeFileSync(out, text)
  process.stdout.write(text)
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`)
  process.exit(1)
})
