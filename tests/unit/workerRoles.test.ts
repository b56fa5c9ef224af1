import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'

// The helper threads start by file name (builtWorker): the app's build makes one entry per role, and the GPU bundle
// (bench/gpuApp.ts, packed by bench/gpu-pack.sh) must serve the same roles, or a GPU run fails where CI cannot see it.
const root = join(__dirname, '..', '..')
const text = (path: string) => readFileSync(join(root, path), 'utf8')

describe('helper-thread roles', () => {
  it('are the same in the build, the GPU bundle and its packing script', () => {
    const built = [...text('electron.vite.config.ts').matchAll(/^\s+(\w+Worker): resolve\(/gm)].map((m) => m[1]!)
    const bundled = [...text('bench/gpuApp.ts').matchAll(/^\s+(\w+Worker): \(\) => import\(/gm)].map((m) => m[1]!)
    const packed = /for role in ([\w ]+); do/.exec(text('bench/gpu-pack.sh'))![1]!.split(' ')
    expect(built).toContain('rowProductsWorker')
    expect(new Set(bundled)).toEqual(new Set(built))
    expect(new Set(packed)).toEqual(new Set(built))
  })
})
