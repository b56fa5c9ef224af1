// HumanAlign for a bare GPU machine (no Node.js, no network) in one bundle: `npm run bench:gpu` packs it with Node,
// Dawn, sharp and better-sqlite3 into .gpu/ (see bench/gpu-pack.sh). One file serves every role, so the bundle
// holds TF.js once: started as `app.cjs bench …` it runs the kernel benchmark against PyTorch (bench/gpu.ts);
// as `app.cjs jobs --out FILE` it runs real jobs on webgpu in a scratch project — the AligNet pipeline end to end
// and SmoothGrad maps of the 25 Langlois images — as the window runs them; the job runner's worker threads start
// the same file through small stubs (jobWorker.js, …) that name their role first.
import { writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { JobSpec, type AppEvent } from '../src-main/api/contract'
import { createEventBus } from '../src-main/api/events'
import { alignetPipeline, describePipeline, type FinishedJob, type RunJob } from '../src-main/bench/alignetPipeline'
import { repositoryPath } from '../src-main/bench/inputs'
import { JobRunner } from '../src-main/jobs/runner'
import { Project } from '../src-main/store/project'
import { argument, gpuBench } from './gpu'

/** The worker roles, each the entry electron-vite builds for it (electron.vite.config.ts); bench/gpu-pack.sh writes a stub for each. */
const WORKERS: Record<string, () => Promise<unknown>> = {
  jobWorker: () => import('../src-main/jobs/worker'),
  taskWorker: () => import('../src-main/jobs/taskWorker'),
  bootstrapWorker: () => import('../src-main/jobs/bootstrapWorker'),
  gwProductWorker: () => import('../src-main/jobs/gwProductWorker'),
  sinkhornWorker: () => import('../src-main/jobs/sinkhornWorker'),
  rowProductsWorker: () => import('../src-main/jobs/rowProductsWorker'),
  attentionWorker: () => import('../src-main/jobs/attentionWorker'),
}

const ended = (e: AppEvent, id: number): e is Extract<AppEvent, { type: 'job.state' }> =>
  e.type === 'job.state' && e.job.id === id && ['done', 'failed', 'cancelled'].includes(e.job.state)

async function gpuJobs(): Promise<void> {
  const out = argument('--out')
  const project = Project.create(join(tmpdir(), `humanalign-gpu-${process.pid}`), 'GPU run', '1')
  const events = createEventBus()
  const examplesDir = repositoryPath('resources', 'examples')
  const runner = new JobRunner(project, { workerDir: __dirname, examplesDir, events, requestedBackend: () => 'webgpu' })
  // Each job's start and end on stderr, so a run's log shows how far it got.
  const told = new Set<string>()
  events.subscribe((e) => {
    if (e.type !== 'job.state' || e.job.state === 'queued' || told.has(`${e.job.id} ${e.job.state}`)) return
    told.add(`${e.job.id} ${e.job.state}`)
    process.stderr.write(`${new Date().toISOString()} job ${e.job.id} ${e.job.kind} ${e.job.state} on ${e.job.backend ?? '-'}${e.job.error ? `: ${e.job.error}` : ''}\n`)
  })
  const start: RunJob = (spec) =>
    new Promise<FinishedJob>((resolve) => {
      let id = -1
      const stop = events.subscribe((e) => {
        if (!ended(e, id)) return
        stop()
        resolve(e.job as FinishedJob)
      })
      id = runner.start(JobSpec.parse(spec)).id
    })
  const report: Record<string, unknown> = { date: new Date().toISOString() }
  const save = () => out && writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`)
  try {
    const pipeline = await alignetPipeline(start, examplesDir)
    process.stderr.write(describePipeline(pipeline))
    report.alignet = { seconds: pipeline.seconds, steps: pipeline.steps, distillation: pipeline.distilled.result, rows: pipeline.rows }
    save()
    const images = await start({ kind: 'import', dataset: 'images', path: join(examplesDir, 'langlois25'), name: 'Langlois 25' })
    if (images.state !== 'done') throw new Error(`import: ${images.error ?? images.state}`)
    const began = performance.now()
    const maps = await start({ kind: 'attention', images: (images.result.datasets as number[])[0], model: 'mobilenet_v2', method: 'smoothgrad', samples: 30, sigma: 0.1, seed: 0 })
    if (maps.state !== 'done') throw new Error(`attention: ${maps.error ?? maps.state}`)
    report.smoothgrad = { seconds: (performance.now() - began) / 1000, backend: maps.result.backend, images: maps.result.images, samples: 30 }
    save()
    process.stderr.write(`SmoothGrad, 25 Langlois images, 30 samples: ${JSON.stringify(report.smoothgrad)}\n`)
  } finally {
    save()
    await runner.close()
    project.close()
  }
}

async function main(): Promise<void> {
  const role = (globalThis as { HUMANALIGN_ROLE?: string }).HUMANALIGN_ROLE ?? process.argv[2]
  const worker = role === undefined ? undefined : WORKERS[role]
  if (worker) {
    await worker()
    return
  }
  if (role === 'bench') await gpuBench()
  else if (role === 'jobs') await gpuJobs()
  else throw new Error(`usage: app.cjs bench|jobs [--out FILE] (got ${String(role)})`)
  // Dawn's device keeps the event loop alive.
  process.exit(0)
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`)
  process.exit(1)
})
