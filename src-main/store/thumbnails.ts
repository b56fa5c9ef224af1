// Small previews of an image set's images for the renderer (which cannot read project files itself).
import { join } from 'node:path'
import sharp from 'sharp'
import type { Thumbnail } from '../api/contract'
import { AppError } from '../api/errors'
import type { Db } from './database'
import { requireDataset } from './datasets'
import { datasetOrder } from '../evaluate/objectOrder'

/**
 * A page of an image set's thumbnails, or the images at the given positions — with `orderOf`, positions of that
 * dataset's objects, found among the images by name.
 */
export async function imageThumbnails(db: Db, projectDir: string, id: number, which: { offset: number; limit: number; indices?: number[]; orderOf?: number }, size: number): Promise<{ total: number; thumbnails: Thumbnail[] }> {
  const dataset = requireDataset(db, id)
  if (dataset.kind !== 'images') throw new AppError('user', `Dataset ${id} ("${dataset.name}") is ${dataset.kind}, not an image set.`)
  const files = dataset.meta.files as string[]
  const ids = dataset.meta.ids as string[]
  const folder = join(projectDir, String(dataset.meta.folder))
  const requested = which.indices ?? Array.from({ length: Math.max(0, Math.min(which.limit, files.length - which.offset)) }, (_, k) => which.offset + k)
  const outside = requested.find((i) => i >= files.length)
  if (outside !== undefined) throw new AppError('user', `"${dataset.name}" has ${files.length} images; there is no image ${outside}.`)
  // A dataset lined up with the images names as many objects as there are images (matchObjects).
  const order = which.orderOf === undefined ? null : datasetOrder(requireDataset(db, which.orderOf), dataset)
  const positions = order ? requested.map((i) => order[i]!) : requested
  const thumbnails = await Promise.all(
    positions.map(async (i) => {
      const png = await sharp(join(folder, files[i]!)).resize(size, size, { fit: 'cover' }).png().toBuffer()
      return { id: ids[i]!, file: files[i]!, dataUrl: `data:image/png;base64,${png.toString('base64')}` }
    }),
  )
  return { total: files.length, thumbnails }
}
