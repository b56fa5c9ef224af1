// An attention run's maps for display: each resized to a small square (the window draws it over the image), with
// the human maps it was scored against.
import { AppError } from '../api/errors'
import { resizeMap } from '../core/attention/compareMaps'
import { imageSetFiles } from '../jobs/kinds/projectArrays'
import { readMaps } from '../models/attentionFiles'
import { readArtifact } from './artifacts'
import type { Db } from './database'
import { getDataset } from './datasets'
import { getRun } from './runs'

const rounded = (map: Float32Array) => Array.from(map, (v) => Math.round(v * 1000) / 1000)

export async function attentionView(db: Db, projectDir: string, id: number, size: number) {
  const run = getRun(db, id)
  const result = run?.result as { outputs?: { maps?: string }; names?: string[]; humanMaps?: number | null } | null | undefined
  if (!run || run.kind !== 'attention' || !result?.outputs?.maps) throw new AppError('user', `Run ${id} is not an attention run with maps.`)
  const array = readArtifact(db, projectDir, result.outputs.maps)
  const [n, height, width] = array.shape as [number, number, number]
  const data = array.data as Float32Array
  const maps = Array.from({ length: n }, (_, i) => rounded(resizeMap(data.subarray(i * height * width, (i + 1) * height * width), height, width, size, size)))
  const human = result.humanMaps ? getDataset(db, result.humanMaps) : undefined
  const humanMaps = human ? (await readMaps(imageSetFiles(human, projectDir).folder, undefined, n, [size, size])).map(rounded) : null
  return { names: result.names ?? maps.map((_, i) => `image ${i + 1}`), size, images: n, maps, human: humanMaps }
}
