// The backend ladder's names, best first. No imports: the contract (and so the renderer) reads this file.
export const BACKENDS = ['tensorflow', 'webgpu', 'wasm', 'cpu'] as const
export type BackendName = (typeof BACKENDS)[number]

export function isBackendName(value: unknown): value is BackendName {
  return typeof value === 'string' && (BACKENDS as readonly string[]).includes(value)
}
