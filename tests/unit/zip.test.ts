// The zip reader behind .npz and .pt: stored entries are views into the file, deflated ones inflated; ZIP64 archives
// (sizes and offsets moved to the ZIP64 records, as writers do past 4 GiB or 65,535 entries) read the same.
import { zipSync } from 'fflate'
import { describe, expect, it } from 'vitest'
import { entryHead, entryStart, zipDirectory, zipEntries } from '../../src-main/core/io/zip'

const text = (bytes: Uint8Array | undefined) => new TextDecoder().decode(bytes)

/** One stored entry written with every size and offset in ZIP64 records, as a ZIP64 writer lays it out. */
function zip64Archive(name: string, content: Uint8Array): Uint8Array {
  const encodedName = new TextEncoder().encode(name)
  const parts: Uint8Array[] = []
  const record = (length: number, fill: (view: DataView) => void) => {
    const bytes = new Uint8Array(length)
    fill(new DataView(bytes.buffer))
    parts.push(bytes)
    return bytes
  }
  const at = () => parts.reduce((sum, p) => sum + p.length, 0)
  record(30, (v) => {
    v.setUint32(0, 0x04034b50, true)
    v.setUint32(18, 0xffffffff, true)
    v.setUint32(22, 0xffffffff, true)
    v.setUint16(26, encodedName.length, true)
    v.setUint16(28, 20, true)
  })
  parts.push(encodedName)
  record(20, (v) => {
    v.setUint16(0, 1, true)
    v.setUint16(2, 16, true)
    v.setBigUint64(4, BigInt(content.length), true)
    v.setBigUint64(12, BigInt(content.length), true)
  })
  parts.push(content)
  const central = at()
  record(46, (v) => {
    v.setUint32(0, 0x02014b50, true)
    v.setUint32(20, 0xffffffff, true)
    v.setUint32(24, 0xffffffff, true)
    v.setUint16(28, encodedName.length, true)
    v.setUint16(30, 28, true)
    v.setUint32(42, 0xffffffff, true)
  })
  parts.push(encodedName)
  record(28, (v) => {
    v.setUint16(0, 1, true)
    v.setUint16(2, 24, true)
    v.setBigUint64(4, BigInt(content.length), true)
    v.setBigUint64(12, BigInt(content.length), true)
    v.setBigUint64(20, 0n, true)
  })
  const centralSize = at() - central
  const end64 = at()
  record(56, (v) => {
    v.setUint32(0, 0x06064b50, true)
    v.setBigUint64(4, 44n, true)
    v.setBigUint64(24, 1n, true)
    v.setBigUint64(32, 1n, true)
    v.setBigUint64(40, BigInt(centralSize), true)
    v.setBigUint64(48, BigInt(central), true)
  })
  record(20, (v) => {
    v.setUint32(0, 0x07064b50, true)
    v.setBigUint64(8, BigInt(end64), true)
    v.setUint32(16, 1, true)
  })
  record(22, (v) => {
    v.setUint32(0, 0x06054b50, true)
    v.setUint16(8, 0xffff, true)
    v.setUint16(10, 0xffff, true)
    v.setUint32(12, 0xffffffff, true)
    v.setUint32(16, 0xffffffff, true)
  })
  const out = new Uint8Array(at())
  parts.reduce((offset, p) => (out.set(p, offset), offset + p.length), 0)
  return out
}

describe('zipEntries', () => {
  it('reads stored entries as views into the archive and inflates deflated ones', () => {
    const archive = zipSync({ 'a.txt': [new TextEncoder().encode('stored'), { level: 0 }], 'dir/b.txt': [new TextEncoder().encode('deflated '.repeat(50)), { level: 9 }] })
    const entries = zipEntries(archive)
    expect(Object.keys(entries).sort()).toEqual(['a.txt', 'dir/b.txt'])
    expect(text(entries['a.txt'])).toBe('stored')
    expect(entries['a.txt']!.buffer).toBe(archive.buffer)
    expect(text(entries['dir/b.txt'])).toBe('deflated '.repeat(50))
    expect(entries['dir/b.txt']!.buffer).not.toBe(archive.buffer)
  })

  it('reads a ZIP64 archive, also from inside a larger buffer', () => {
    const archive = zip64Archive('data/0', new TextEncoder().encode('sixty-four'))
    expect(text(zipEntries(archive)['data/0'])).toBe('sixty-four')
    const padded = new Uint8Array(archive.length + 7)
    padded.set(archive, 3)
    expect(text(zipEntries(padded.subarray(3, 3 + archive.length))['data/0'])).toBe('sixty-four')
  })

  it('says what is wrong with a damaged archive', () => {
    const archive = zipSync({ 'a.txt': [new TextEncoder().encode('x'.repeat(100)), { level: 0 }] })
    expect(() => zipEntries(new TextEncoder().encode('not a zip at all, just some text'))).toThrow('no end of central directory: not a zip archive, or a truncated one')
    const cut = archive.slice()
    cut.set([0, 0, 0, 0], archive.length - 22 - 46 - 5)
    expect(() => zipEntries(cut)).toThrow('the central directory is damaged')
    const localGone = archive.slice()
    localGone.set([0, 0, 0, 0], 0)
    expect(() => zipEntries(localGone)).toThrow('entry a.txt: its local header is damaged')
    const method = archive.slice()
    const central = archive.length - 22 - 46 - 5
    new DataView(method.buffer).setUint16(central + 10, 14, true)
    expect(() => zipEntries(method)).toThrow('entry a.txt uses compression method 14; only stored and deflated entries are read')
  })
})

describe('entryHead', () => {
  it('gives the first bytes of an entry, inflating and reading only the start of a deflated one', () => {
    // 1 MB of incompressible bytes: the head must not need the whole compressed entry.
    const content = new Uint8Array(1 << 20)
    let state = 12345
    for (let i = 0; i < content.length; i++) content[i] = (state = (state * 1103515245 + 12345) >>> 0) >>> 24
    for (const level of [0, 6] as const) {
      const archive = zipSync({ 'big.npy': [content, { level }] })
      const [entry] = zipDirectory(archive.length, (offset, length) => archive.subarray(offset, offset + length))
      let read = 0
      const readAt = (offset: number, length: number) => {
        read += length
        return archive.subarray(offset, offset + length)
      }
      const start = entryStart(entry!, archive.length, readAt)
      read = 0
      expect(entry!.method).toBe(level === 0 ? 0 : 8)
      expect(Buffer.from(entryHead(entry!, start, readAt, 4096)).equals(content.subarray(0, 4096))).toBe(true)
      expect(read).toBeLessThan(64 * 1024)
      expect(Buffer.from(entryHead(entry!, start, readAt, 10 << 20)).equals(content)).toBe(true)
    }
  })
})
