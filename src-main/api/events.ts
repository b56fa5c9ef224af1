import type { AppEvent } from './contract'

export type EventListener = (event: AppEvent) => void

/** Fan-out of push events to every subscriber (the window, each WebSocket client, the CLI's progress line). */
export interface EventBus {
  emit(event: AppEvent): void
  subscribe(listener: EventListener): () => void
}

export function createEventBus(): EventBus {
  const listeners = new Set<EventListener>()
  return {
    emit(event) {
      for (const listener of listeners) listener(event)
    },
    subscribe(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
  }
}
