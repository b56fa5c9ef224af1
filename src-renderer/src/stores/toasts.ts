import { defineStore } from 'pinia'
import { ref } from 'vue'

export interface Toast {
  id: number
  kind: 'error' | 'info'
  message: string
}

const INFO_MS = 4000

export const useToasts = defineStore('toasts', () => {
  const toasts = ref<Toast[]>([])
  let nextId = 1

  function dismiss(id: number): void {
    toasts.value = toasts.value.filter((t) => t.id !== id)
  }

  function show(kind: Toast['kind'], message: string): void {
    // The same message twice in a row is one toast (a reconnect loop must not bury the screen).
    if (toasts.value.some((t) => t.message === message)) return
    const id = nextId++
    toasts.value = [...toasts.value, { id, kind, message }]
    if (kind === 'info') setTimeout(() => dismiss(id), INFO_MS)
  }

  /** Shows what went wrong, in the main side's own words. */
  function error(err: unknown): void {
    show('error', err instanceof Error ? err.message : String(err))
  }

  return { toasts, show, error, dismiss, dismissAll: () => (toasts.value = []) }
})
