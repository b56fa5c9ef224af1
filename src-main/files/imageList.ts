// The images a command extracts from: a folder (its images in natural name order) or a text file listing one
// image path per line (relative to the list's folder), as thingsvision's users keep them.
import { existsSync, readFileSync, statSync } from 'node:fs'
import { basename, dirname, extname, join, resolve } from 'node:path'
import { AppError } from '../api/errors'
import { ValidationError } from '../core/data/errors'
import { listImageFiles } from './images'

export interface ImageList {
  paths: string[]
  /** What file_names.txt records for each image: its path relative to the folder or the list. */
  names: string[]
}

export function imageList(path: string): ImageList {
  const full = resolve(path)
  if (!existsSync(full)) throw new AppError('user', `${path} does not exist; give a folder of images or a text file listing them.`)
  try {
    if (statSync(full).isDirectory()) {
      const files = listImageFiles(full)
      return { paths: files.map((f) => join(full, f)), names: files }
    }
  } catch (err) {
    if (err instanceof ValidationError) throw new AppError('user', err.message)
    throw err
  }
  if (extname(full) !== '.txt') throw new AppError('user', `${path} is neither a folder of images nor a .txt list of image paths.`)
  const names = readFileSync(full, 'utf8')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean)
  if (!names.length) throw new AppError('user', `${path} lists no images.`)
  const paths = names.map((n) => resolve(dirname(full), n))
  const missing = paths.findIndex((p) => !existsSync(p))
  if (missing >= 0) throw new AppError('user', `${basename(full)}, entry ${missing + 1}: ${names[missing]} does not exist.`)
  return { paths, names }
}
