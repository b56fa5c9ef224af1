import type { MatrixView, RunInfo } from '@api/contract'
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

  return { runs, load, matrix }
})
