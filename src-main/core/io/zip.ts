// The entries of a zip archive, read from its central directory. A stored entry (np.savez, torch.save) is a view
// into the archive's bytes, not a copy, and an archive can be read through a file descriptor, entry by entry, so
// that an .npz array goes straight from the file into its own buffer. Deflated entries (np.savez_compressed) are
// inflated with fflate. ZIP64 archives and entries are read (numpy writes every entry with ZIP64 fields).
import { Inflate, inflateSync } from 'fflate'
import { concatBytes } from './bytes'

export class ZipFormatError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'ZipFormatError'
  }
}

/** An entry as the central directory lists it. */
export interface ZipEntry {
  name: string
  flags: number
  method: number
  compressed: number
  size: number
  /** Offset of its local header. */
  local: number
}

/** `length` bytes of the archive from `offset` (fewer at its end). */
export type ReadAt = (offset: number, length: number) => Uint8Array

const END = 0x06054b50
const END64 = 0x06064b50
const END64_LOCATOR = 0x07064b50
const CENTRAL = 0x02014b50
const LOCAL = 0x04034b50
const ZIP64_EXTRA = 0x0001
const MASK32 = 0xffffffff

const viewOf = (bytes: Uint8Array) => new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)

const u64 = (view: DataView, at: number): number => {
  const value = view.getBigUint64(at, true)
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new ZipFormatError('a ZIP64 size or offset is out of range')
  return Number(value)
}

/** The central directory's offset, size and entry count, from the ZIP64 record when the classic one is saturated. */
function directory(size: number, readAt: ReadAt): { offset: number; bytes: number; count: number } {
  // The end record is within the last 22 bytes plus the longest comment.
  const tailStart = Math.max(0, size - 22 - 0xffff)
  const tail = readAt(tailStart, size - tailStart)
  const view = viewOf(tail)
  let end = -1
  for (let at = tail.length - 22; at >= 0 && end < 0; at--) if (view.getUint32(at, true) === END) end = at
  if (end < 0) throw new ZipFormatError('no end of central directory: not a zip archive, or a truncated one')
  let count = view.getUint16(end + 10, true)
  let bytes = view.getUint32(end + 12, true)
  let offset = view.getUint32(end + 16, true)
  if (offset === MASK32 || bytes === MASK32 || count === 0xffff) {
    const locator = tailStart + end - 20
    const located = locator >= 0 ? viewOf(readAt(locator, 20)) : null
    if (!located || located.byteLength < 20 || located.getUint32(0, true) !== END64_LOCATOR) throw new ZipFormatError('the ZIP64 end record is missing')
    const record = viewOf(readAt(u64(located, 8), 56))
    if (record.byteLength < 56 || record.getUint32(0, true) !== END64) throw new ZipFormatError('the ZIP64 end record is damaged')
    count = u64(record, 32)
    bytes = u64(record, 40)
    offset = u64(record, 48)
  }
  if (offset + bytes > size) throw new ZipFormatError('the central directory is damaged')
  return { offset, bytes, count }
}

/** The archive's entries, directories left out. */
export function zipDirectory(size: number, readAt: ReadAt): ZipEntry[] {
  const { offset, bytes, count } = directory(size, readAt)
  const listing = readAt(offset, bytes)
  const view = viewOf(listing)
  const names = new TextDecoder()
  const entries: ZipEntry[] = []
  let at = 0
  for (let i = 0; i < count; i++) {
    if (at + 46 > view.byteLength || view.getUint32(at, true) !== CENTRAL) throw new ZipFormatError('the central directory is damaged')
    let compressed = view.getUint32(at + 20, true)
    let length = view.getUint32(at + 24, true)
    const nameLength = view.getUint16(at + 28, true)
    const extraLength = view.getUint16(at + 30, true)
    let local = view.getUint32(at + 42, true)
    const name = names.decode(listing.subarray(at + 46, at + 46 + nameLength))
    // ZIP64: the saturated fields follow in the extra field, in this order.
    for (let e = at + 46 + nameLength; e + 4 <= at + 46 + nameLength + extraLength; e += 4 + view.getUint16(e + 2, true)) {
      if (view.getUint16(e, true) !== ZIP64_EXTRA) continue
      let field = e + 4
      if (length === MASK32) {
        length = u64(view, field)
        field += 8
      }
      if (compressed === MASK32) {
        compressed = u64(view, field)
        field += 8
      }
      if (local === MASK32) local = u64(view, field)
    }
    if (!name.endsWith('/')) entries.push({ name, flags: view.getUint16(at + 8, true), method: view.getUint16(at + 10, true), compressed, size: length, local })
    at += 46 + nameLength + extraLength + view.getUint16(at + 32, true)
  }
  return entries
}

/** Where an entry's data starts (after its local header), checked to lie inside the archive and to be readable. */
export function entryStart(entry: ZipEntry, size: number, readAt: ReadAt): number {
  if (entry.flags & 1) throw new ZipFormatError(`entry ${entry.name} is encrypted`)
  if (entry.method !== 0 && entry.method !== 8) throw new ZipFormatError(`entry ${entry.name} uses compression method ${entry.method}; only stored and deflated entries are read`)
  if (entry.method === 0 && entry.compressed !== entry.size) throw new ZipFormatError(`entry ${entry.name}: stored sizes disagree`)
  const header = viewOf(readAt(entry.local, 30))
  if (header.byteLength < 30 || header.getUint32(0, true) !== LOCAL) throw new ZipFormatError(`entry ${entry.name}: its local header is damaged`)
  const start = entry.local + 30 + header.getUint16(26, true) + header.getUint16(28, true)
  if (start + entry.compressed > size) throw new ZipFormatError(`entry ${entry.name} ends past the end of the archive: the file is truncated`)
  return start
}

/** A deflated entry's content. */
export function inflateEntry(entry: ZipEntry, data: Uint8Array): Uint8Array {
  const out = inflateSync(data, { out: new Uint8Array(entry.size) })
  if (out.length !== entry.size) throw new ZipFormatError(`entry ${entry.name} inflates to ${out.length} bytes, not the ${entry.size} its header says`)
  return out
}

/** Compressed bytes read at a time when only the start of an entry is wanted. */
const HEAD_CHUNK = 1 << 14

/**
 * The first `length` bytes of an entry (fewer if it is shorter), reading and inflating no more of it than they
 * need: a header, without the gigabytes behind it.
 */
export function entryHead(entry: ZipEntry, start: number, readAt: ReadAt, length: number): Uint8Array {
  if (entry.method === 0) return readAt(start, Math.min(length, entry.compressed))
  const parts: Uint8Array[] = []
  let got = 0
  const inflater = new Inflate((chunk) => {
    parts.push(chunk)
    got += chunk.length
  })
  for (let at = 0; at < entry.compressed && got < length; at += HEAD_CHUNK) {
    const n = Math.min(HEAD_CHUNK, entry.compressed - at)
    inflater.push(readAt(start + at, n), at + n >= entry.compressed)
  }
  return concatBytes(parts).subarray(0, length)
}

/** Every entry by name: stored ones as views into `bytes`, deflated ones inflated. */
export function zipEntries(bytes: Uint8Array): Record<string, Uint8Array> {
  const readAt: ReadAt = (offset, length) => bytes.subarray(offset, offset + length)
  const entries: Record<string, Uint8Array> = {}
  for (const entry of zipDirectory(bytes.length, readAt)) {
    const start = entryStart(entry, bytes.length, readAt)
    const data = bytes.subarray(start, start + entry.compressed)
    entries[entry.name] = entry.method === 0 ? data : inflateEntry(entry, data)
  }
  return entries
}
