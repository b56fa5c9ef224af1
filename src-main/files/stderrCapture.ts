// What a synchronous call writes to stderr caught instead of printed. Emscripten modules on Node's file system (h5wasm's
// HDF5 library) write there through fs.writeSync(2, …), not console.error; the call is synchronous, so nothing else
// writes to stderr while it runs.
import fs from 'node:fs'

export function captureStderr<T>(work: () => T): { value: T; written: string } {
  const written: string[] = []
  const writeSync = fs.writeSync
  fs.writeSync = ((fd: number, buffer: NodeJS.ArrayBufferView | string, ...rest: unknown[]) => {
    if (fd !== 2) return (writeSync as (...args: unknown[]) => number)(fd, buffer, ...rest)
    if (typeof buffer === 'string') {
      written.push(buffer)
      return Buffer.byteLength(buffer)
    }
    const length = Number(rest[1] ?? buffer.byteLength)
    written.push(Buffer.from(buffer.buffer, buffer.byteOffset + Number(rest[0] ?? 0), length).toString('utf8'))
    return length
  }) as typeof fs.writeSync
  try {
    return { value: work(), written: written.join('') }
  } finally {
    fs.writeSync = writeSync
  }
}
