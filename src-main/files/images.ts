// Image sets: a folder of image files (JPEG, PNG, WebP, TIFF, GIF, AVIF: what sharp decodes), or an N×H×W(×C) uint8 array (such as the 92 stimuli inside the
// Kriegeskorte MAT-file), checked with sharp (libvips) and written as files into a staging folder.
import { mkdirSync, readdirSync, statSync } from 'node:fs'
import { basename, extname, join, resolve, sep } from 'node:path'
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

/** Names in natural order (image_2 before image_10), folder by folder. */
const natural = (a: string, b: string): number => a.localeCompare(b, 'en', { numeric: true })

/**
 * The image files under a folder, its subfolders included (THINGS keeps each concept's images in a folder of its
 * own, ImageNet each class's), as paths relative to it with '/' between folders, in natural order. Hidden files and
 * folders (.DS_Store, __MACOSX) are passed over; links to folders are not followed.
 */
export function listImageFiles(dir: string): string[] {
  if (!statSync(dir).isDirectory()) throw new ValidationError(`${dir} is not a folder of images.`)
  const files: string[] = []
  let bitmaps = false
  const walk = (relative: string): void => {
    for (const entry of readdirSync(join(dir, relative), { withFileTypes: true })) {
      if (entry.name.startsWith('.') || entry.name === '__MACOSX') continue
      const path = relative ? `${relative}/${entry.name}` : entry.name
      const isFile = entry.isFile() || (entry.isSymbolicLink() && statSync(join(dir, path), { throwIfNoEntry: false })?.isFile() === true)
      if (entry.isDirectory()) walk(path)
      else if (isFile && IMAGE_FILE.test(entry.name)) files.push(path)
      else if (isFile && /\.bmp$/i.test(entry.name)) bitmaps = true
    }
  }
  walk('')
  if (!files.length) {
    throw new ValidationError(`there are no ${IMAGE_KINDS} images in ${dir} or its subfolders.${bitmaps ? ' Its .bmp images are not read: convert them to .png (lossless).' : ''}`)
  }
  return files.sort(natural)
}

/**
 * Each image's id: its file name without the extension; where two images in different folders share one
 * (cat/01.jpg, dog/01.jpg), every image's path without it; where even those repeat (cat.jpg, cat.png), the paths.
 */
export function imageIds(files: string[]): string[] {
  const unique = (ids: string[]) => new Set(ids).size === ids.length
  const names = files.map((f) => basename(f, extname(f)))
  if (unique(names)) return names
  const paths = files.map((f) => f.slice(0, f.length - extname(f).length))
  return unique(paths) ? paths : files
}

/** Images decoded at once: sharp decodes on libuv's threads (four by default). */
const CONCURRENT_DECODES = 4
/** Unreadable images named in the message, the rest counted. */
const NAMED_FAILURES = 5

type Progress = (checked: number, total: number) => void

/** The folder's images (its subfolders' too) in name order, each checked (checkImages). */
export function readImageFolder(dir: string, progress?: Progress): Promise<{ images: ImageInfo[]; paths: string[] }> {
  return checkImages(dir, listImageFiles(dir), progress)
}

/**
 * The deepest folder holding every one of these files (absolute paths), and each file's path from it with '/'
 * between folders: how the images of a list that reaches into several folders are kept in a project.
 */
export function commonRoot(paths: string[]): { root: string; files: string[] } {
  const parts = paths.map((p) => resolve(p).split(sep))
  let depth = 0
  while (parts.every((q) => depth < q.length - 1 && q[depth] === parts[0]![depth])) depth++
  return { root: parts[0]!.slice(0, depth).join(sep) || sep, files: parts.map((q) => q.slice(depth).join('/')) }
}

/**
 * Images under `root` (paths relative to it), in this order, each decoded once to prove it is readable, several at
 * a time; `progress` hears how many are checked. Every unreadable image is found before the first is reported.
 */
export async function checkImages(root: string, files: string[], progress?: Progress): Promise<{ images: ImageInfo[]; paths: string[] }> {
  const ids = imageIds(files)
  const images = new Array<ImageInfo>(files.length)
  const failures: { index: number; file: string; reason: string }[] = []
  let next = 0
  let checked = 0
  const decode = async (): Promise<void> => {
    while (next < files.length) {
      const k = next++
      try {
        const { info } = await sharp(join(root, files[k]!)).raw().toBuffer({ resolveWithObject: true })
        images[k] = { id: ids[k]!, file: files[k]!, width: info.width, height: info.height, channels: info.channels }
      } catch (err) {
        // sharp's messages run over lines (libvips appends its own): one line each here.
        failures.push({ index: k, file: files[k]!, reason: (err as Error).message.replace(/\s+/g, ' ').trim() })
      }
      progress?.(++checked, files.length)
    }
  }
  await Promise.all(Array.from({ length: Math.min(CONCURRENT_DECODES, files.length) }, decode))
  const [only] = failures
  if (failures.length === 1) throw new ValidationError(`${only!.file} cannot be read as an image (${only!.reason}). Replace or remove it.`)
  if (failures.length) {
    const named = failures.sort((a, b) => a.index - b.index).slice(0, NAMED_FAILURES).map((f) => `${f.file} (${f.reason})`)
    const more = failures.length > NAMED_FAILURES ? `, and ${failures.length - NAMED_FAILURES} more` : ''
    throw new ValidationError(`${failures.length} of the ${files.length} images cannot be read as images: ${named.join('; ')}${more}. Replace or remove them.`)
  }
  return { images, paths: files.map((f) => join(root, f)) }
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

/**
 * Categories from an image set's subfolders (THINGS' concepts, ImageNet's classes): each image in its top folder's
 * category (n × categories, 1: in it; images at the top level in none), the folders in the images' order; null with
 * fewer than two folders.
 */
export function folderCategories(files: string[]): { categories: string[]; membership: Uint8Array } | null {
  const top = files.map((f) => (f.includes('/') ? f.slice(0, f.indexOf('/')) : null))
  const column = new Map<string, number>()
  for (const t of top) if (t !== null && !column.has(t)) column.set(t, column.size)
  if (column.size < 2) return null
  const categories = [...column.keys()]
  const membership = new Uint8Array(files.length * categories.length)
  top.forEach((t, i) => t !== null && (membership[i * categories.length + column.get(t)!] = 1))
  return { categories, membership }
}
