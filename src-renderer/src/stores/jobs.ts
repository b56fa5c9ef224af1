import type { JobInfo, JobProgress, MetricSeries, OpInput } from '@api/contract'
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { client } from './client'
import { useToasts } from './toasts'

export const useJobs = defineStore('jobs', () => {
  const jobs = ref<JobInfo[]>([])
  const toasts = useToasts()
  const active = computed(() => jobs.value.filter((j) => j.state === 'queued' || j.state === 'running'))
  /** Metric points pushed while a job runs, by job and series: live curves without polling. */
  const live = ref<Record<number, Record<string, [number, number][]>>>({})

  async function load(): Promise<void> {
    try {
      jobs.value = await client().call('jobs.list', {})
    } catch (err) {
      toasts.error(err)
    }
  }

  async function verifyArtifacts(): Promise<void> {
    try {
      addIfUnknown(await client().call('jobs.start', { kind: 'verifyArtifacts' }))
    } catch (err) {
      toasts.error(err)
    }
  }

  async function cancel(id: number): Promise<void> {
    try {
      addIfUnknown(await client().call('jobs.cancel', { id }))
    } catch (err) {
      toasts.error(err)
    }
  }

  async function resume(id: number): Promise<void> {
    try {
      addIfUnknown(await client().call('jobs.resume', { id }))
    } catch (err) {
      toasts.error(err)
    }
  }

  async function discard(id: number): Promise<void> {
    try {
      addIfUnknown(await client().call('jobs.discard', { id }))
      toasts.show('info', `Discarded job ${id}; its checkpoint is deleted.`)
    } catch (err) {
      toasts.error(err)
    }
  }

  function addMetric(jobId: number, name: string, step: number, value: number): void {
    const byName = (live.value[jobId] ??= {})
    ;(byName[name] ??= []).push([step, value])
  }

  /** A job's series: those stored (fetched once) and those pushed since. */
  async function follow(id: number): Promise<void> {
    const stored = await metrics(id)
    const byName = (live.value[id] ??= {})
    for (const s of stored) {
      const pushed = byName[s.name] ?? []
      const last = s.points.at(-1)?.[0] ?? -Infinity
      byName[s.name] = [...s.points, ...pushed.filter(([step]) => step > last)]
    }
  }

  async function metrics(id: number): Promise<MetricSeries[]> {
    try {
      return await client().call('jobs.metrics', { id })
    } catch (err) {
      toasts.error(err)
      return []
    }
  }

  function upsert(job: JobInfo): void {
    const index = jobs.value.findIndex((j) => j.id === job.id)
    if (index === -1) jobs.value = [job, ...jobs.value]
    else jobs.value.splice(index, 1, job)
  }

  // Events may overtake the reply of the call that caused them; the pushed state is the newer one.
  function addIfUnknown(job: JobInfo): void {
    if (!jobs.value.some((j) => j.id === job.id)) upsert(job)
  }

  function applyProgress(jobId: number, progress: JobProgress): void {
    const job = jobs.value.find((j) => j.id === jobId)
    if (job && job.state === 'running') job.progress = progress
  }

  function onStateChange(job: JobInfo): void {
    upsert(job)
    if (job.state === 'failed') toasts.show('error', `Job ${job.id} failed: ${job.error ?? 'no reason given'}`)
  }

  async function start(spec: OpInput<'jobs.start'>): Promise<JobInfo | null> {
    try {
      const job = await client().call('jobs.start', spec)
      addIfUnknown(job)
      return job
    } catch (err) {
      toasts.error(err)
      return null
    }
  }

  return {
    jobs,
    active,
    live,
    load,
    start,
    verifyArtifacts,
    cancel,
    resume,
    discard,
    metrics,
    follow,
    addMetric,
    upsert,
    applyProgress,
    onStateChange,
    clear: () => ((jobs.value = []), (live.value = {})),
  }
})
