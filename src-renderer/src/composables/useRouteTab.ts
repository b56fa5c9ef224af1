import { computed, type ComputedRef } from 'vue'
import { useRoute, useRouter } from 'vue-router'

/** A page's current tab, kept in the address (?tab=…) so a reload or a link opens the same one; the first by default. */
export function useRouteTab<T extends string>(tabs: readonly { id: T }[]): { tab: ComputedRef<T>; select: (id: T) => void } {
  const route = useRoute()
  const router = useRouter()
  const tab = computed<T>(() => tabs.find((t) => t.id === route.query.tab)?.id ?? tabs[0]!.id)
  const select = (id: T): void => void router.replace({ query: { ...route.query, tab: id } })
  return { tab, select }
}
