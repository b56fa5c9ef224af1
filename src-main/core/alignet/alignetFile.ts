// AligNet's synthetic triplet files (.npz): `filenames` (n, 3) with the odd one out last, `similarities` (n, 3)
// the teacher's [s01, s02, s12], `indices` (n, 3) the images' positions — exchangeable with the released data.
import { decodeNpy, NpyFormatError } from '../io/npy'
import { decodeNpyStrings, encodeNpyStrings } from '../io/npyStrings'
import { encodeNpz, npzEntries } from '../io/npz'

export interface AlignetTriplets {
  count: number
  /** count × 3 file names, row-major. */
  filenames: string[]
  similarities: Float32Array
  indices: Int32Array
}

export function encodeAlignet(t: AlignetTriplets): Uint8Array {
  return encodeNpz({
    filenames: encodeNpyStrings([t.count, 3], t.filenames),
    similarities: { dtype: '<f4', shape: [t.count, 3], data: t.similarities },
    indices: { dtype: '<i8', shape: [t.count, 3], data: BigInt64Array.from(t.indices, (v) => BigInt(v)) },
  })
}

export function decodeAlignet(bytes: Uint8Array): AlignetTriplets {
  const entries = npzEntries(bytes)
  const missing = ['filenames', 'similarities', 'indices'].filter((k) => !entries[k])
  if (missing.length) throw new NpyFormatError(`not an AligNet triplet file: no ${missing.join(', ')} (it has ${Object.keys(entries).join(', ') || 'no arrays'})`)
  const filenames = decodeNpyStrings(entries.filenames!)
  const similarities = decodeNpy(entries.similarities!)
  const indices = decodeNpy(entries.indices!)
  const count = filenames.shape[0] ?? 0
  for (const [name, shape] of [['filenames', filenames.shape], ['similarities', similarities.shape], ['indices', indices.shape]] as const) {
    if (shape.length !== 2 || shape[1] !== 3 || shape[0] !== count) throw new NpyFormatError(`'${name}' is [${shape.join(' × ')}]; AligNet's arrays are n × 3 with the same n (${count})`)
  }
  const values = Array.from(indices.data as ArrayLike<number | bigint>, Number)
  if (values.some((v) => !Number.isInteger(v) || v < 0)) throw new NpyFormatError("'indices' must be non-negative whole numbers")
  return { count, filenames: filenames.values, similarities: Float32Array.from(similarities.data as ArrayLike<number>), indices: Int32Array.from(values) }
}
