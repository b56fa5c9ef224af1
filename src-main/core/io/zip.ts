// The entries of a zip archive, read from its central directory. A stored entry (np.savez, torch.save) is a view
// into the archive's bytes, not a copy: a large .npz or .pt file is held once, not twice. Deflated entries
// (np.savez_compressed) are inflated with fflate. ZIP64 archives and entries are read (numpy writes every entry
// with ZIP64 fields).
import { inflateSync } from 'fflate'

export class ZipFormatError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'ZipFormatError'
  }
}

const END = 0x06054b50
const END64 = 0x06064b50
const END64_LOCATOR = 0x07064b50
const CENTRAL = 0x02014b50
const LOCAL = 0x04034b50
const ZIP64_EXTRA = 0x0001
const MASK32 = 0xffffffff

/** Where the end-of-central-directory record starts: the last signature within the comment's reach. */
function findEnd(view: DataView): number {
  const lowest = Math.max(0, view.byteLength - 22 - 0xffff)
  for (let at = view.byteLength - 22; at >= lowest; at--) if (view.getUint32(at, true) === END) return at
  throw new ZipFormatError('no end of central directory: not a zip archive, or a truncated one')
}

const u64 = (view: DataView, at: number): number => {
  const value = view.getBigUint64(at, true)
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new ZipFormatError('a ZIP64 size or offset is out of range')
  return Number(value)
}

/** The central directory's offset and entry count, from the ZIP64 record when the classic one is saturated. */
function directory(view: DataView): { offset: number; count: number } {
  const end = findEnd(view)
  let count = view.getUint16(end + 10, true)
  let offset = view.getUint32(end + 16, true)
  if (offset === MASK32 || count === 0xffff) {
    const locator = end - 20
    if (locator < 0 || view.getUint32(locator, true) !== END64_LOCATOR) throw new ZipFormatError('the ZIP64 end record is missing')
    const end64 = u64(view, locator + 8)
    if (end64 + 56 > view.byteLength || view.getUint32(end64, true) !== END64) throw new ZipFormatError('the ZIP64 end record is damaged')
    count = u64(view, end64 + 32)
    offset = u64(view, end64 + 48)
  }
  return { offset, count }
}

/** Every entry by name; directories are left out. */
export function zipEntries(bytes: Uint8Array): Record<string, Uint8Array> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const names = new TextDecoder()
  const { offset, count } = directory(view)
  const entries: Record<string, Uint8Array> = {}
  let at = offset
  for (let i = 0; i < count; i++) {
    if (at + 46 > view.byteLength || view.getUint32(at, true) !== CENTRAL) throw new ZipFormatError('the central directory is damaged')
    const flags = view.getUint16(at + 8, true)
    const method = view.getUint16(at + 10, true)
    let compressed = view.getUint32(at + 20, true)
    let size = view.getUint32(at + 24, true)
    const nameLength = view.getUint16(at + 28, true)
    const extraLength = view.getUint16(at + 30, true)
    const commentLength = view.getUint16(at + 32, true)
    let local = view.getUint32(at + 42, true)
    const name = names.decode(bytes.subarray(at + 46, at + 46 + nameLength))
    // ZIP64: the saturated fields follow in the extra field, in this order.
    for (let e = at + 46 + nameLength; e + 4 <= at + 46 + nameLength + extraLength; ) {
      const id = view.getUint16(e, true)
      const length = view.getUint16(e + 2, true)
      if (id === ZIP64_EXTRA) {
        let field = e + 4
        if (size === MASK32) {
          size = u64(view, field)
          field += 8
        }
        if (compressed === MASK32) {
          compressed = u64(view, field)
          field += 8
        }
        if (local === MASK32) local = u64(view, field)
      }
      e += 4 + length
    }
    at += 46 + nameLength + extraLength + commentLength
    if (name.endsWith('/')) continue
    if (flags & 1) throw new ZipFormatError(`entry ${name} is encrypted`)
    if (local + 30 > view.byteLength || view.getUint32(local, true) !== LOCAL) throw new ZipFormatError(`entry ${name}: its local header is damaged`)
    const start = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true)
    if (start + compressed > bytes.length) throw new ZipFormatError(`entry ${name} ends past the end of the archive: the file is truncated`)
    const data = bytes.subarray(start, start + compressed)
    if (method === 0) {
      if (compressed !== size) throw new ZipFormatError(`entry ${name}: stored sizes disagree`)
      entries[name] = data
    } else if (method === 8) {
      const out = inflateSync(data, { out: new Uint8Array(size) })
      if (out.length !== size) throw new ZipFormatError(`entry ${name} inflates to ${out.length} bytes, not the ${size} its header says`)
      entries[name] = out
    } else {
      throw new ZipFormatError(`entry ${name} uses compression method ${method}; only stored and deflated entries are read`)
    }
  }
  return entries
}
