// NumPy .npz: a zip archive of .npy files, stored (np.savez) or deflated (np.savez_compressed).
import { zipSync, type Zippable } from 'fflate'
import { zipEntries } from './zip'
import { decodeNpy, encodeNpy, NpyFormatError, type NpyArray } from './npy'

/** The archive's .npy files, by array name, undecoded (text arrays are read with npyStrings). */
export function npzEntries(bytes: Uint8Array): Record<string, Uint8Array> {
  let entries: Record<string, Uint8Array>
  try {
    entries = zipEntries(bytes)
  } catch (err) {
    throw new NpyFormatError(`not a readable .npz (zip) archive: ${(err as Error).message}`)
  }
  return Object.fromEntries(Object.entries(entries).flatMap(([name, content]) => (name.endsWith('.npy') ? [[name.slice(0, -4), content]] : [])))
}

export function decodeNpz(bytes: Uint8Array): Record<string, NpyArray> {
  const arrays: Record<string, NpyArray> = {}
  for (const [name, content] of Object.entries(npzEntries(bytes))) {
    try {
      arrays[name] = decodeNpy(content)
    } catch (err) {
      throw new NpyFormatError(`array '${name}': ${(err as Error).message}`)
    }
  }
  return arrays
}

/** Every entry's zip time: a fixed date, so that the same arrays always make the same bytes (and SHA-256). */
const ENTRY_TIME = new Date(1980, 0, 1)

/** An archive of arrays; an entry may be a .npy file already encoded (a text array). */
export function encodeNpz(arrays: Record<string, NpyArray | Uint8Array>, options: { compress?: boolean } = {}): Uint8Array {
  const files: Zippable = {}
  for (const [name, array] of Object.entries(arrays)) files[`${name}.npy`] = [array instanceof Uint8Array ? array : encodeNpy(array), { level: options.compress ? 6 : 0, mtime: ENTRY_TIME }]
  return zipSync(files)
}
