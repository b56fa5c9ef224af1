// NumPy .npz: a zip archive of .npy files, stored (np.savez) or deflated (np.savez_compressed).
import { unzipSync, zipSync, type Zippable } from 'fflate'
import { decodeNpy, encodeNpy, NpyFormatError, type NpyArray } from './npy'

export function decodeNpz(bytes: Uint8Array): Record<string, NpyArray> {
  let entries: Record<string, Uint8Array>
  try {
    entries = unzipSync(bytes)
  } catch (err) {
    throw new NpyFormatError(`not a readable .npz (zip) archive: ${(err as Error).message}`)
  }
  const arrays: Record<string, NpyArray> = {}
  for (const [name, content] of Object.entries(entries)) {
    if (!name.endsWith('.npy')) continue
    try {
      arrays[name.slice(0, -4)] = decodeNpy(content)
    } catch (err) {
      throw new NpyFormatError(`array '${name.slice(0, -4)}': ${(err as Error).message}`)
    }
  }
  return arrays
}

export function encodeNpz(arrays: Record<string, NpyArray>, options: { compress?: boolean } = {}): Uint8Array {
  const files: Zippable = {}
  for (const [name, array] of Object.entries(arrays)) files[`${name}.npy`] = [encodeNpy(array), { level: options.compress ? 6 : 0 }]
  return zipSync(files)
}
