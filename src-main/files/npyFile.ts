// .npy data read from a file straight into the array's own buffer: one allocation, no copy of the file in memory.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs'
import { NpyFormatError, npyData, parseNpyLayout, viewAs, type NpyArray } from '../core/io/npy'

export function readNpyFile(path: string): NpyArray {
  const fd = openSync(path, 'r')
  try {
    return readNpyAt(fd, 0, fstatSync(fd).size)
  } finally {
    closeSync(fd)
  }
}

/** Fills `target` from the file at `position`; stops early only at the file's end. */
export function readInto(fd: number, target: Uint8Array, position: number): number {
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
export function readNpyAt(fd: number, start: number, available: number): NpyArray {
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
