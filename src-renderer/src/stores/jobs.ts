import type { JobInfo, JobProgress, MetricSeries } from '@api/contract'
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { client } from './client'
import { useToasts } from './toasts'

export const useJobs = defineStore('jobs', () => {
  const jobs = ref<JobInfo[]>([])
  const toasts = useToasts()
  const active = computed(() => jobs.value.filter((j) => j.state === 'queued' || j.state === 'running'))

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

  return { jobs, active, load, verifyArtifacts, cancel, resume, metrics, upsert, applyProgress, onStateChange, clear: () => (jobs.value = []) }
})
