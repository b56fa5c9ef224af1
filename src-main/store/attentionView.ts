// An attention run's maps for display: each resized to a small square (the window draws it over the image), with
// the human maps it was scored against (stored with the run at the maps' size).
import { AppError } from '../api/errors'
import { resizeMap } from '../core/attention/compareMaps'
import { readArtifact } from './artifacts'
import type { Db } from './database'
import { getRun } from './runs'

const rounded = (map: Float32Array) => Array.from(map, (v) => Math.round(v * 1000) / 1000)

export function attentionView(db: Db, projectDir: string, id: number, size: number) {
  const run = getRun(db, id)
  const result = run?.result as { outputs?: { maps?: string; human?: string }; names?: string[] } | null | undefined
  if (!run || run.kind !== 'attention' || !result?.outputs?.maps) throw new AppError('user', `Run ${id} is not an attention run with maps.`)
  const shown = (address: string) => {
    const array = readArtifact(db, projectDir, address)
    const [n, height, width] = array.shape as [number, number, number]
    const data = array.data as Float32Array
    return Array.from({ length: n }, (_, i) => rounded(resizeMap(data.subarray(i * height * width, (i + 1) * height * width), height, width, size, size)))
  }
  const maps = shown(result.outputs.maps)
  return { names: result.names ?? maps.map((_, i) => `image ${i + 1}`), size, images: maps.length, maps, human: result.outputs.human ? shown(result.outputs.human) : null }
}
