// A real crash: the server is killed (SIGKILL) in the middle of a compute job. A new server opens the project
// (taking over the dead process's lock), reports the job as interrupted, resumes it from its checkpoint, and the
// result equals that of an uninterrupted run.
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { AppEvent, JobInfo } from '../../src-main/api/contract'
import { putArray } from '../../src-main/store/artifacts'
import { Project } from '../../src-main/store/project'
import { startServe } from '../helpers/cli'
import { useTmp } from '../helpers/tmp'
import { TestClient } from '../helpers/wsClient'

const tmp = useTmp()

function features(project: Project): string {
  const n = 2000
  const p = 48
  const data = new Float32Array(n * p)
  for (let i = 0; i < data.length; i++) data[i] = Math.cos(i * 0.013) * ((i % 17) - 8)
  return putArray(project.db, project.dir, { dtype: '<f4', shape: [n, p], data }).sha256
}

const finished = (id: number) => (e: AppEvent) => e.type === 'job.state' && e.job.id === id && ['done', 'failed', 'cancelled'].includes(e.job.state)

describe('a job interrupted by a crash', () => {
  it('is resumed by the next HumanAlign and ends with the same result', async () => {
    const dir = join(tmp(), 'p')
    const project = Project.create(dir, 'crash', '1')
    const sha = features(project)
    project.close()
    const env = { HUMANALIGN_CONFIG_DIR: join(tmp(), 'c'), HUMANALIGN_PROJECTS_DIR: tmp(), HUMANALIGN_BACKEND: 'wasm' }
    const spec = { kind: 'similarity', features: sha, metric: 'cosine', blockRows: 2, checkpointSeconds: 0.1 }

    const first = await startServe(env)
    const a = await TestClient.connect(`ws://127.0.0.1:${first.port}/ws?token=${first.token}`)
    expect(await a.call('project.open', { path: dir })).toMatchObject({ ok: true })
    const started = (await a.call('jobs.start', spec)) as { output: JobInfo }
    const id = started.output.id
    await a.event((e) => e.type === 'job.state' && e.job.id === id && e.job.checkpointAt !== null)
    first.child.kill('SIGKILL')
    await first.stop()

    const second = await startServe(env)
    const b = await TestClient.connect(`ws://127.0.0.1:${second.port}/ws?token=${second.token}`)
    try {
      expect(await b.call('project.open', { path: dir })).toMatchObject({ ok: true })
      const listed = (await b.call('jobs.list', {})) as { output: JobInfo[] }
      expect(listed.output[0]).toMatchObject({ id, state: 'failed', resumable: true, backend: 'wasm', error: expect.stringMatching(/^Interrupted/) })
      expect(listed.output[0]!.checkpointAt).not.toBeNull()
      const fractionAtCrash = listed.output[0]!.progress.fraction
      expect(fractionAtCrash).toBeLessThan(1)

      expect(await b.call('jobs.resume', { id })).toMatchObject({ ok: true, output: { state: 'queued' } })
      const resumed = (await b.event(finished(id))) as { job: JobInfo }
      expect(resumed.job.state).toBe('done')
      // It continued from the checkpoint: from scratch, the first block alone would report 2 of 2000 rows.
      const first = (await b.event((e) => e.type === 'job.progress' && e.jobId === id)) as { progress: { fraction: number } }
      expect(first.progress.fraction).toBeGreaterThan(2.5 / 2000)

      // The same job run without interruption, for comparison.
      const again = (await b.call('jobs.start', spec)) as { output: JobInfo }
      const whole = (await b.event(finished(again.output.id))) as { job: JobInfo }
      const output = (job: JobInfo) => (job.result as { outputs: { similarity: string } }).outputs.similarity
      expect(output(resumed.job)).toBe(output(whole.job))
      await b.call('project.close', {})
    } finally {
      a.close()
      b.close()
      await second.stop()
    }
  }, 120_000)
})
