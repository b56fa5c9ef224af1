// Image sets: a folder of image files (JPEG, PNG, WebP, TIFF, GIF, AVIF: what sharp decodes), or an N×H×W(×C) uint8 array (such as the 92 stimuli inside the
// Kriegeskorte MAT-file), checked with sharp (libvips) and written as files into a staging folder.
import { mkdirSync, readdirSync, statSync } from 'node:fs'
import { basename, extname, join } from 'node:path'
import sharp from 'sharp'
import { ValidationError } from '../core/data/errors'
import type { NpyArray } from '../core/io/npy'

export const IMAGE_FILE = /\.(jpe?g|png|webp|tiff?|gif|avif)$/i
/** The image files read, as a message names them. */
export const IMAGE_KINDS = '.jpg, .png, .webp, .tif, .gif or .avif'

export interface ImageInfo {
  id: string
  file: string
  width: number
  height: number
  channels: number
}

/** The image files of a folder in natural name order (image_2 before image_10). */
export function listImageFiles(dir: string): string[] {
  if (!statSync(dir).isDirectory()) throw new ValidationError(`${dir} is not a folder of images.`)
  const files = readdirSync(dir)
    .filter((f) => IMAGE_FILE.test(f))
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }))
  if (!files.length) {
    const bitmaps = readdirSync(dir).some((f) => /\.bmp$/i.test(f))
    throw new ValidationError(`there are no ${IMAGE_KINDS} images in ${dir}.${bitmaps ? ' Its .bmp images are not read: convert them to .png (lossless).' : ''}`)
  }
  return files
}

/** The folder's images in name order, each decoded once to prove it is readable. */
export async function readImageFolder(dir: string): Promise<{ images: ImageInfo[]; paths: string[] }> {
  const files = listImageFiles(dir)
  const images: ImageInfo[] = []
  for (const file of files) {
    try {
      const { info } = await sharp(join(dir, file)).raw().toBuffer({ resolveWithObject: true })
      images.push({ id: basename(file, extname(file)), file, width: info.width, height: info.height, channels: info.channels })
    } catch (err) {
      throw new ValidationError(`${file} cannot be read as an image (${(err as Error).message}). Replace or remove it.`)
    }
  }
  return { images, paths: files.map((f) => join(dir, f)) }
}

/** Writes an N×H×W or N×H×W×C uint8 array as N PNG files into `dir`. */
export async function writeImagesFromArray(array: NpyArray, dir: string): Promise<ImageInfo[]> {
  const shape = array.shape
  if (array.dtype !== '|u1' || (shape.length !== 3 && shape.length !== 4)) {
    throw new ValidationError(`images must be a uint8 array of shape N×H×W or N×H×W×C; this is ${array.dtype} [${shape.join(' × ')}].`)
  }
  const [n, height, width, channels = 1] = shape as [number, number, number, number?]
  if (![1, 3, 4].includes(channels)) throw new ValidationError(`images need 1, 3 or 4 channels, not ${channels}.`)
  mkdirSync(dir, { recursive: true })
  const size = height * width * channels
  const digits = String(n).length
  const images: ImageInfo[] = []
  for (let i = 0; i < n; i++) {
    const id = String(i + 1).padStart(digits, '0')
    const file = `${id}.png`
    const pixels = (array.data as Uint8Array).subarray(i * size, (i + 1) * size)
    await sharp(Buffer.from(pixels.buffer, pixels.byteOffset, pixels.byteLength), { raw: { width, height, channels: channels as 1 | 3 | 4 } })
      .png()
      .toFile(join(dir, file))
    images.push({ id, file, width, height, channels })
  }
  return images
}
