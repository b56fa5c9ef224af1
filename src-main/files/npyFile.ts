// Arrays read from a file straight into their own buffers — a .npy, or a member of an .npz: one allocation, no copy
// of the file in memory.
import { closeSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs'
import { decodeNpy, NpyFormatError, npyData, parseNpyLayout, viewAs, type NpyArray } from '../core/io/npy'
import { entryHead, entryStart, inflateEntry, zipDirectory, ZipFormatError, type ReadAt } from '../core/io/zip'

/**
 * A .npy file read straight into its array: the header from the first bytes, then the data in one read into a
 * buffer of the right size, so a large file is in memory once, not twice.
 */
export function readNpyFile(path: string): NpyArray {
  const fd = openSync(path, 'r')
  try {
    return readNpyAt(fd, 0, fstatSync(fd).size)
  } finally {
    closeSync(fd)
  }
}

/** Fills `target` from the file at `position`; stops early only at the file's end. */
function readInto(fd: number, target: Uint8Array, position: number): number {
  let done = 0
  while (done < target.length) {
    const n = readSync(fd, target, done, target.length - done, position + done)
    if (n === 0) break
    done += n
  }
  return done
}

/**
 * A .npy held in a file at `start` (a whole .npy file, or a stored .npz member), `available` bytes long: its data
 * read straight into the array's own buffer.
 */
function readNpyAt(fd: number, start: number, available: number): NpyArray {
  const head = new Uint8Array(Math.min(4096, available))
  const layout = parseNpyLayout(head.subarray(0, readInto(fd, head, start)))
  if (available - layout.dataOffset < layout.dataBytes) {
    throw new NpyFormatError(`truncated .npy data: expected ${layout.dataBytes} bytes, found ${available - layout.dataOffset}`)
  }
  const raw = new Uint8Array(layout.dataBytes)
  readInto(fd, raw, start + layout.dataOffset)
  // Native little-endian data is used as read; other layouts are converted (which copies).
  const native = layout.descr.stored === 'native'
  const data = native ? viewAs(layout.dtype, raw.buffer, 0, raw.length / layout.descr.itemBytes) : npyData(raw, layout)
  return { dtype: layout.dtype, shape: layout.shape, data, fortranOrder: layout.fortranOrder }
}

/**
 * The arrays of an .npz by name, each read from the file only when asked for: a stored member goes straight from
 * the file into its array (one allocation, the archive never in memory, archives past 2 GiB too), a deflated one
 * is inflated.
 */
export function npzMembers(path: string): {
  names: string[]
  read(name: string): NpyArray
  bytes(name: string): Uint8Array
  head(name: string): Uint8Array
  close(): void
} {
  const fd = openSync(path, 'r')
  try {
    const size = fstatSync(fd).size
    const readAt: ReadAt = (offset, length) => {
      const out = new Uint8Array(Math.max(0, Math.min(length, size - offset)))
      return out.subarray(0, readInto(fd, out, offset))
    }
    const members = new Map(zipDirectory(size, readAt).flatMap((e) => (e.name.endsWith('.npy') ? [[e.name.slice(0, -4), e] as const] : [])))
    const named = <T>(name: string, read: () => T): T => {
      try {
        return read()
      } catch (err) {
        throw new NpyFormatError(`array '${name}': ${(err as Error).message}`)
      }
    }
    const contents = (name: string): Uint8Array => {
      const entry = members.get(name)!
      const packed = readAt(entryStart(entry, size, readAt), entry.compressed)
      return entry.method === 0 ? packed : inflateEntry(entry, packed)
    }
    return {
      names: [...members.keys()],
      read: (name) =>
        named(name, () => {
          const entry = members.get(name)!
          return entry.method === 0 ? readNpyAt(fd, entryStart(entry, size, readAt), entry.compressed) : decodeNpy(contents(name))
        }),
      /** The member's .npy file as bytes (a text array, which `read` refuses). */
      bytes: (name) => named(name, () => contents(name)),
      /** The first 4 KiB of the member's .npy (its header), without reading or inflating the rest. */
      head: (name) =>
        named(name, () => {
          const entry = members.get(name)!
          return entryHead(entry, entryStart(entry, size, readAt), readAt, 4096)
        }),
      close: () => closeSync(fd),
    }
  } catch (err) {
    closeSync(fd)
    throw err instanceof ZipFormatError ? new NpyFormatError(`not a readable .npz (zip) archive: ${err.message}`) : err
  }
}

/**
 * A file's bytes as a plain Uint8Array over the buffer Node read them into, not a copy (and not a Buffer, whose
 * slice() would not copy either when a decoder needs its own).
 */
export function readFileBytes(path: string): Uint8Array {
  const buffer = readFileSync(path)
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength)
}
