// `humanalign job spec|run|script`: a job as a JSON spec, run headless, and the Slurm script that runs it on a node.
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { BIN, runCli } from '../helpers/cli'
import { useTmp } from '../helpers/tmp'

const tmp = useTmp()
const env = { HUMANALIGN_BACKEND: 'wasm' }
const json = (args: string[]) => {
  const r = runCli([...args, '--json'], env, 60_000)
  expect(r.stderr).toBe('')
  return JSON.parse(r.stdout)
}

describe('humanalign job', () => {
  it('runs a spec, writes it back, and runs it again through the batch script as a node would', () => {
    const dir = tmp()
    const project = join(dir, 'p')
    json(['project', 'create', project])
    const specFile = join(dir, 'simulate.json')
    writeFileSync(specFile, JSON.stringify({ kind: 'simulateTriplets', count: 2000, seed: 5 }))
    const first = json(['job', 'run', specFile, '--project', project])
    expect(first).toMatchObject({ job: 1, kind: 'simulateTriplets', result: { datasets: [1], count: 2000 } })
    // The spec as stored, defaults filled in.
    expect(JSON.parse(runCli(['job', 'spec', '1', '--project', project], env).stdout)).toEqual({ kind: 'simulateTriplets', embedding: 'spose66', count: 2000, seed: 5 })

    const script = join(dir, 'again.sbatch')
    const wrote = json(['job', 'script', '--job', '1', '--project', project, '--gpus', '0', '--partition', 'cpu', '--time', '30', '--out', script])
    expect(wrote).toMatchObject({ path: script, fileName: 'humanalign-job-1-simulateTriplets.sbatch' })
    expect(statSync(script).mode & 0o111).not.toBe(0)
    // bash reads the #SBATCH lines as comments: the script runs here as it would on the node.
    const r = spawnSync('bash', [script], { cwd: dir, encoding: 'utf8', env: { ...process.env, ...env }, timeout: 60_000 })
    expect(r.status).toBe(0)
    const datasets = json(['project', 'info', project]).datasets as { id: number; artifact: string }[]
    expect(datasets.map((d) => d.id)).toEqual([2, 1])
    // The same spec and seed: the same triplets, stored once.
    expect(datasets[0]!.artifact).toBe(datasets[1]!.artifact)
    expect(readdirSync(join(project, 'artifacts'))).toHaveLength(2)
    const discard = runCli(['job', 'discard', '1', '--project', project], env)
    expect([discard.code, discard.stderr]).toEqual([1, 'humanalign: Job 1 has already finished; there is nothing to discard.\n'])
  }, 120_000)

  it('stopped by the scheduler (SIGTERM), leaves the job resumable and the project unlocked; job resume finishes it', async () => {
    const dir = tmp()
    const project = join(dir, 'p')
    json(['project', 'create', project])
    const specFile = join(dir, 'simulate.json')
    writeFileSync(specFile, JSON.stringify({ kind: 'simulateTriplets', count: 4_000_000, seed: 2 }))
    const child = spawn(process.execPath, [BIN, 'job', 'run', specFile, '--project', project], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
    let stderr = ''
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
    await expect.poll(() => stderr, { timeout: 30_000, interval: 50 }).toContain('% ')
    child.kill('SIGTERM')
    expect(await exited).toBe(143)
    expect(stderr).toContain(`humanalign: stopped by SIGTERM; resume with: humanalign job resume 1 --project ${project}\n`)
    expect(existsSync(join(project, 'project.lock'))).toBe(false)
    expect(json(['project', 'info', project]).counts).toMatchObject({ datasets: 0, jobs: 1 })
    expect(json(['job', 'resume', '1', '--project', project])).toMatchObject({ job: 1, kind: 'simulateTriplets', result: { datasets: [1], count: 4_000_000 } })
  }, 120_000)

  it('names what is wrong with a spec or a resource, and changes nothing', () => {
    const dir = tmp()
    const project = join(dir, 'p')
    json(['project', 'create', project])
    const file = join(dir, 'spec.json')
    const fails = (args: string[]) => {
      const r = runCli(args, env)
      expect(r.code).toBe(1)
      return r.stderr
    }
    writeFileSync(file, '{"kind": "probe", "features": 1}')
    expect(fails(['job', 'run', file, '--project', project])).toContain(`${file} is not a job spec: triplets: Invalid input: expected number, received undefined.`)
    writeFileSync(file, '{"kind": "simulate')
    expect(fails(['job', 'run', file, '--project', project])).toContain(`${file} is not JSON (`)
    expect(fails(['job', 'run', join(dir, 'none.json'), '--project', project])).toContain(`Cannot read ${join(dir, 'none.json')}: no such file.`)
    writeFileSync(file, '{"kind": "deriveTriplets", "dataset": 4}')
    expect(fails(['job', 'run', file, '--project', project])).toContain('There is no dataset 4 in this project.')
    expect(fails(['job', 'script', file, '--project', project, '--mem', 'lots'])).toContain('The memory "lots" is not valid for Slurm: write a number with K, M, G or T, such as 32G.')
    expect(fails(['job', 'script', file, '--job', '1', '--project', project])).toContain('job script needs a spec file or --job ID (one of them).')
    expect(fails(['job', 'script', '--job', '9', '--project', project])).toContain('There is no job 9 in this project.')
    expect(fails(['job', 'run', file, '--project', project, '--gpus', '1'])).toContain('--gpus applies to job script only.')
    expect(fails(['job', 'submit', file, '--project', project])).toContain('Unknown job action "submit"; use run, resume, spec, script, discard.')
    expect(json(['project', 'info', project]).counts).toMatchObject({ datasets: 0, runs: 0, artifacts: 0 })
  })
})
