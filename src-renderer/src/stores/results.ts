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

  /**
   * A matrix for display, labelled from `labelsFrom` where its names fit; where they do not, the matrix in its own
   * order with why it is unlabelled, rather than no matrix at all.
   */
  async function matrix(id: number, subject: number | null, labelsFrom: number | null): Promise<{ view: MatrixView; unlabelled: string | null } | null> {
    const view = (labels: number | null) => client().call('datasets.matrix', { id, subject, maxSize: 200, labelsFrom: labels })
    try {
      return { view: await view(labelsFrom), unlabelled: null }
    } catch (err) {
      if (labelsFrom === null) {
        toasts.error(err)
        return null
      }
      const found = await matrix(id, subject, null)
      return found && { ...found, unlabelled: err instanceof Error ? err.message : String(err) }
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
