// The benchmark on a GPU machine: our kernels on tfjs-webgpu (Dawn) and the same cases in PyTorch on the same GPU,
// in one command. Run there, from the bundle (bench/gpuApp.ts, packed by `npm run bench:gpu`), as
//   /tmp/node .gpu/app/app.cjs bench --out $OUT/gpu.json [--quick] [--only case,case] [--size N]
// Cases run in the order --only names them. The report is rewritten after every case, so a run stopped at its time
// limit still leaves what it measured.
import { writeFileSync } from 'node:fs'
import { spawnSync } from 'node:child_process'
import { BENCH_CASES, timeCase, type CaseName } from '../src-main/bench/cases'
import { chooseBackend } from '../src-main/core/compute/backend'
import { repositoryPath } from '../src-main/bench/inputs'

const REPEATS = 10
const median = (v: number[]): number => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!

/** The cases that run on the GPU, at sizes that show it (the CPU-bound cases — bootstrap, k-means — stay out). */
const GPU_SIZES: Partial<Record<CaseName, { full: number[]; quick: number[] }>> = {
  matmul: { full: [1854, 4096], quick: [1854] },
  cosine: { full: [1854], quick: [1854] },
  gather: { full: [1_000_000], quick: [100_000] },
  oddoneout: { full: [1_000_000], quick: [100_000] },
  cka: { full: [1854], quick: [1854] },
  mobilenet: { full: [512], quick: [64] },
  probe: { full: [10_000, 1_000_000], quick: [10_000] },
  gw: { full: [1854], quick: [300] },
  saliency: { full: [25], quick: [4] },
  distill: { full: [16], quick: [4] },
}

export function argument(name: string): string | undefined {
  const at = process.argv.indexOf(name)
  return at > 0 ? process.argv[at + 1] : undefined
}

export async function gpuBench(): Promise<void> {
  const out = argument('--out')
  const quick = process.argv.includes('--quick')
  const only = argument('--only')?.split(',')
  const forcedSize = argument('--size')
  const choice = await chooseBackend({ force: 'webgpu' })
  if (choice.name !== 'webgpu') throw new Error(`no WebGPU here: ${JSON.stringify(choice.attempts)}`)
  const script = repositoryPath('bench', 'reference', 'cases.py')
  const report = { date: new Date().toISOString(), adapter: choice.adapter, repeats: REPEATS, cases: [] as object[] }
  const save = () => out && writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`)
  for (const name of (only ?? Object.keys(GPU_SIZES)) as CaseName[]) {
    const sizes = GPU_SIZES[name]
    if (!sizes) throw new Error(`${name} is not a GPU case: ${Object.keys(GPU_SIZES).join(', ')}`)
    const spec = BENCH_CASES[name]
    const repeats = spec.once ? 1 : REPEATS
    for (const size of forcedSize ? [Number(forcedSize)] : quick ? sizes.quick : sizes.full) {
      // The reference first: should ours outrun the command's time limit, the reference's time is still known.
      const torch = spawnSync('python3', [script, name, String(size), String(repeats), '--torch'], { encoding: 'utf8' })
      process.stderr.write(`${name} ${size}: reference done\n`)
      const ours = await timeCase(spec.prepare(size), repeats, spec.once)
      const reference = torch.status === 0 ? (JSON.parse(torch.stdout.trim().split('\n').pop()!) as { implementation: string; milliseconds: number[]; checksum: number }) : null
      const tolerance = spec.tolerance === undefined ? 1e-3 * Math.max(1, Math.abs(reference?.checksum ?? 0)) : spec.tolerance
      const row = {
        case: name,
        size,
        description: spec.describe(size),
        oursMs: median(ours.milliseconds),
        referenceMs: reference ? median(reference.milliseconds) : null,
        ratio: reference ? median(ours.milliseconds) / median(reference.milliseconds) : null,
        oursChecksum: ours.checksum,
        referenceChecksum: reference?.checksum ?? null,
        agree: reference && tolerance !== null ? Math.abs(ours.checksum - reference.checksum) <= tolerance : null,
        reference: reference?.implementation ?? `PyTorch failed: ${torch.stderr.trim().split('\n').slice(-3).join(' | ')}`,
      }
      report.cases.push(row)
      save()
      process.stderr.write(`${JSON.stringify(row)}\n`)
    }
  }
  save()
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`)
}
