import type { MatrixView, RunInfo } from '@api/contract'
import { freedText } from '@api/format'
import { defineStore } from 'pinia'
import { ref } from 'vue'
import { client } from './client'
import { useToasts } from './toasts'

export const useResults = defineStore('results', () => {
  const runs = ref<RunInfo[]>([])
  const toasts = useToasts()

  async function load(): Promise<void> {
    try {
      runs.value = await client().call('runs.list', {})
    } catch (err) {
      toasts.error(err)
    }
  }

  async function matrix(id: number, subject: number | null, labelsFrom: number | null): Promise<MatrixView | null> {
    try {
      return await client().call('datasets.matrix', { id, subject, maxSize: 200, labelsFrom })
    } catch (err) {
      toasts.error(err)
      return null
    }
  }

  /** Takes a run off the results (the list reloads on project.changed). */
  async function remove(id: number): Promise<void> {
    try {
      const removed = await client().call('runs.remove', { id })
      toasts.show('info', `Removed run ${removed.run.id} (${removed.run.name}) from the results. ${freedText(removed.freed)}`.trim())
    } catch (err) {
      toasts.error(err)
    }
  }

  return { runs, load, matrix, remove }
})
