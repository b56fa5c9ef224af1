// `humanalign bench`: every case run by us and by a reference implementation in the same command, each side in
// its own process, reported as median time, peak memory and the ratios ours/reference.
import { spawn } from 'node:child_process'
import { cpus, hostname, totalmem } from 'node:os'
import type { BackendName } from '../core/compute/backendNames'
import { BENCH_CASES, type CaseName } from './cases'
import { findPython } from './python'

export interface SideResult {
  implementation: string
  milliseconds: number[]
  medianMs: number
  peakRssBytes: number
  checksum: number
}

export interface CaseReport {
  case: CaseName
  size: number
  description: string
  ours: SideResult & { backend: string }
  reference: SideResult
  ratio: { time: number; memory: number }
  /** The two results agree (checksums within the case's tolerance, by default 1e-3 relative); null: not comparable. */
  agree: boolean | null
}

export interface BenchReport {
  date: string
  machine: { host: string; cpu: string; cores: number; memoryBytes: number; platform: string; node: string }
  repeats: number
  cases: CaseReport[]
}

export interface BenchOptions {
  cases: CaseName[]
  quick: boolean
  /** Run every case at this size instead of its full (or quick) sizes. */
  size?: number
  repeats: number
  backend: BackendName | null
  /** The built benchCase.js and the reference script. */
  caseEntry: string
  referenceScript: string
  onProgress?: (line: string) => void
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

function runJson(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<Omit<SideResult, 'medianMs'> & { backend?: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    child.stdout.on('data', (d: Buffer) => (out += d.toString()))
    child.stderr.on('data', (d: Buffer) => (err += d.toString()))
    child.on('error', reject)
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`${command} ${args.join(' ')} failed (${code}): ${err.trim().split('\n').pop()}`))
      try {
        resolve(JSON.parse(out.trim().split('\n').pop()!))
      } catch {
        reject(new Error(`${command} ${args.join(' ')} printed no result: ${out.slice(0, 200)}`))
      }
    })
  })
}

export async function runBench(options: BenchOptions): Promise<BenchReport> {
  // OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE may be set on machines whose OpenBLAS misdetects the CPU; they slow a
  // current NumPy, so the reference runs without them (both removed together).
  const referenceEnv = { ...process.env }
  delete referenceEnv.OPENBLAS_CORETYPE
  delete referenceEnv.OPENBLAS_L2_SIZE
  // Every reference's Python is found before anything runs, so a missing one is reported at once.
  const pythons = new Map(options.cases.map((name) => [name, findPython(BENCH_CASES[name].referenceModules)]))
  const cases: CaseReport[] = []
  for (const name of options.cases) {
    const spec = BENCH_CASES[name]
    for (const size of options.size !== undefined ? [options.size] : options.quick ? spec.sizes.quick : spec.sizes.full) {
      options.onProgress?.(`${spec.describe(size)} …`)
      const args = [name, String(size), String(spec.once ? 1 : options.repeats)]
      // Our side finds the reference script too: the file-reading cases have it write the file both sides read.
      const ours = await runJson(process.execPath, [options.caseEntry, ...args, options.backend ?? 'auto'], { ...process.env, HUMANALIGN_BENCH_REFERENCE: options.referenceScript })
      const reference = await runJson(pythons.get(name)!, [options.referenceScript, ...args], referenceEnv)
      const oursSide = { ...ours, backend: ours.backend ?? 'unknown', medianMs: median(ours.milliseconds) }
      const referenceSide = { ...reference, medianMs: median(reference.milliseconds) }
      cases.push({
        case: name,
        size,
        description: spec.describe(size),
        ours: oursSide,
        reference: referenceSide,
        ratio: { time: oursSide.medianMs / referenceSide.medianMs, memory: oursSide.peakRssBytes / referenceSide.peakRssBytes },
        agree:
          spec.tolerance === null
            ? null
            : Math.abs(ours.checksum - reference.checksum) <= (spec.tolerance === undefined ? 1e-3 * Math.max(1, Math.abs(reference.checksum)) : spec.relative ? spec.tolerance * Math.abs(reference.checksum) : spec.tolerance),
      })
    }
  }
  const processors = cpus()
  return {
    date: new Date().toISOString(),
    machine: {
      host: hostname(),
      cpu: processors[0]?.model.trim() ?? 'unknown',
      cores: processors.length,
      memoryBytes: totalmem(),
      platform: `${process.platform} ${process.arch}`,
      node: process.versions.node,
    },
    repeats: options.repeats,
    cases,
  }
}
