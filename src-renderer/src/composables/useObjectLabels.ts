import type { ObjectLabels } from '@api/contract'
import { shallowRef, watch } from 'vue'
import { client } from '../stores/client'
import { useToasts } from '../stores/toasts'

/**
 * The names and categories of a dataset's objects (null while loading, or when there is no such dataset); with
 * `orderOf`, in the order of that dataset's objects (the triplets or the map being labelled), matched by name.
 */
export function useObjectLabels(dataset: () => number | undefined, orderOf: () => number | undefined = () => undefined) {
  const labels = shallowRef<ObjectLabels | null>(null)
  const toasts = useToasts()
  watch([dataset, orderOf], async ([id, order]) => {
    labels.value = null
    if (id === undefined) return
    try {
      labels.value = await client().call('datasets.objects', { id, ...(order === undefined ? {} : { orderOf: order }) })
    } catch (err) {
      toasts.error(err)
    }
  }, { immediate: true })
  return labels
}
