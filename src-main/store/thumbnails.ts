// Small previews of an image set's images for the renderer (which cannot read project files itself).
import { join } from 'node:path'
import sharp from 'sharp'
import type { Thumbnail } from '../api/contract'
import { AppError } from '../api/errors'
import type { Db } from './database'
import { getDataset } from './datasets'

export async function imageThumbnails(db: Db, projectDir: string, id: number, offset: number, limit: number, size: number): Promise<{ total: number; thumbnails: Thumbnail[] }> {
  const dataset = getDataset(db, id)
  if (!dataset) throw new AppError('not_found', `There is no dataset ${id} in this project.`)
  if (dataset.kind !== 'images') throw new AppError('user', `Dataset ${id} ("${dataset.name}") is ${dataset.kind}, not an image set.`)
  const files = dataset.meta.files as string[]
  const ids = dataset.meta.ids as string[]
  const folder = join(projectDir, String(dataset.meta.folder))
  const page = files.slice(offset, offset + limit)
  const thumbnails = await Promise.all(
    page.map(async (file, k) => {
      const png = await sharp(join(folder, file)).resize(size, size, { fit: 'cover' }).png().toBuffer()
      return { id: ids[offset + k]!, file, dataUrl: `data:image/png;base64,${png.toString('base64')}` }
    }),
  )
  return { total: files.length, thumbnails }
}
