import type { ObjectLabels } from '@api/contract'
import { shallowRef, watch } from 'vue'
import { client } from '../stores/client'
import { useToasts } from '../stores/toasts'

/** The names and categories of a dataset's objects (null while loading, or when there is no such dataset). */
export function useObjectLabels(dataset: () => number | undefined) {
  const labels = shallowRef<ObjectLabels | null>(null)
  const toasts = useToasts()
  watch(dataset, async (id) => {
    labels.value = null
    if (id === undefined) return
    try {
      labels.value = await client().call('datasets.objects', { id })
    } catch (err) {
      toasts.error(err)
    }
  }, { immediate: true })
  return labels
}
