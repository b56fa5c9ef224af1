import { ref, watch } from 'vue'
import { client } from '../stores/client'

const BATCH = 200

/**
 * Thumbnails of an image set's images by position — with `orderOf`, by position of that dataset's objects (the
 * triplets or features shown), matched to the images by name — fetched in batches as they are wanted and kept for
 * the life of the component (a data URL of a 96-px PNG is a few kilobytes).
 */
export function useThumbnails(imageSet: () => number | null, size = 96, orderOf: () => number | undefined = () => undefined) {
  const cache = new Map<number, string>()
  const pending = new Set<number>()
  /** What the page has asked for of this image set: fetched again when the order of its objects becomes known. */
  const wanted = new Set<number>()
  const version = ref(0)
  let set: { id: number; orderOf?: number } | null = null

  watch([imageSet, orderOf], ([id, order]) => {
    if (set?.id !== id) wanted.clear()
    set = id === null ? null : { id, ...(order === undefined ? {} : { orderOf: order }) }
    cache.clear()
    pending.clear()
    version.value++
    if (set && wanted.size) void fetch([...wanted])
  }, { immediate: true })

  async function fetch(indices: number[]): Promise<void> {
    const mine = set
    if (mine === null) return
    for (let start = 0; start < indices.length; start += BATCH) {
      const batch = indices.slice(start, start + BATCH)
      batch.forEach((i) => pending.add(i))
      try {
        const { thumbnails } = await client().call('datasets.thumbnails', { ...mine, indices: batch, size })
        if (mine !== set) return
        thumbnails.forEach((t, k) => cache.set(batch[k]!, t.dataUrl))
        version.value++
      } catch {
        // A thumbnail that cannot be made leaves the name alone in its place.
      } finally {
        batch.forEach((i) => pending.delete(i))
      }
    }
  }

  return {
    /** Asks for these images; those not yet here or on their way are fetched. */
    want(indices: number[]): void {
      if (set === null) return
      indices.forEach((i) => wanted.add(i))
      const missing = [...new Set(indices)].filter((i) => !cache.has(i) && !pending.has(i))
      if (missing.length) void fetch(missing)
    },
    /** The data URL of an image, once fetched (reactive). */
    get(index: number): string | undefined {
      void version.value
      return cache.get(index)
    },
  }
}
