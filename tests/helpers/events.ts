import type { AppEvent } from '../../src-main/api/contract'

/** Resolves with the first recorded event that passes `test`, waiting for it up to `ms`. */
export function until(seen: AppEvent[], test: (e: AppEvent) => boolean, ms = 60_000): Promise<AppEvent> {
  return new Promise((resolve, reject) => {
    const started = Date.now()
    const poll = setInterval(() => {
      const hit = seen.find(test)
      if (hit) {
        clearInterval(poll)
        resolve(hit)
      } else if (Date.now() - started > ms) {
        clearInterval(poll)
        reject(new Error('timed out waiting for an event'))
      }
    }, 5)
  })
}

/** The job reached an end state. */
export const settled = (id: number) => (e: AppEvent) =>
  e.type === 'job.state' && e.job.id === id && ['done', 'failed', 'cancelled'].includes(e.job.state)
