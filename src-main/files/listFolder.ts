// A folder's contents for choosing a file to import where typing its path is the only other way (browser mode has no
// native dialog; the desktop window's would not mark what HumanAlign reads).
import { readdirSync, statSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import type { FolderListing } from '../api/contract'
import { AppError } from '../api/errors'
import { READABLE_NAME } from '../core/io/detect'

/** Entries listed at most: a folder of the 26,107 THINGS images stays a quick answer. */
export const LISTING_LIMIT = 2000

/** Subfolders then files, in natural name order (image_2 before image_10); hidden entries left out. */
export function listFolder(path: string): FolderListing {
  const folder = resolve(path)
  if (!statSync(folder).isDirectory()) throw new AppError('user', `${folder} is a file, not a folder.`)
  const entries = readdirSync(folder, { withFileTypes: true })
    .filter((e) => !e.name.startsWith('.'))
    .flatMap((e) => {
      const path = join(folder, e.name)
      let isFolder = e.isDirectory()
      let bytes: number | null = null
      if (e.isSymbolicLink() || !isFolder) {
        try {
          const stat = statSync(path)
          isFolder = stat.isDirectory()
          bytes = isFolder ? null : stat.size
        } catch {
          return [] // a dangling link
        }
      }
      return [{ name: e.name, path, kind: isFolder ? ('folder' as const) : ('file' as const), bytes, readable: isFolder || READABLE_NAME.test(e.name) }]
    })
    .sort((a, b) => (a.kind === b.kind ? a.name.localeCompare(b.name, 'en', { numeric: true }) : a.kind === 'folder' ? -1 : 1))
  const parent = dirname(folder)
  return { path: folder, parent: parent === folder ? null : parent, entries: entries.slice(0, LISTING_LIMIT), total: entries.length }
}
