import { BACKENDS, tryBackend, type BackendAttempt, type BackendName, type GpuAdapterReport } from './backend'

export interface BackendProbe {
  /** Every backend of the ladder, tried on its own, with the reason for each one that is unavailable. */
  attempts: BackendAttempt[]
  /** What a worker would run on: the first available backend from the requested one down the ladder. */
  chosen: BackendName | null
  adapter: GpuAdapterReport | null
}

export async function probeBackends(requested: BackendName | null): Promise<BackendProbe> {
  const attempts: BackendAttempt[] = []
  let adapter: GpuAdapterReport | null = null
  for (const name of BACKENDS) {
    const { attempt, initialised } = await tryBackend(name)
    attempts.push(attempt)
    adapter ??= initialised?.adapter ?? null
  }
  const start = requested ? BACKENDS.indexOf(requested) : 0
  const chosen = attempts.slice(start).find((a) => a.ok)?.name ?? null
  return { attempts, chosen, adapter }
}
