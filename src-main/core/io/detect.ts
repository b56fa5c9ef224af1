import { isHdf5, isMat73 } from './hdf5'
import { isMat5 } from './mat5'
import { isTorchZip } from './torchSave'

/** 'meadows': a JSON file that is Meadows' results of multiple arrangements (told by its content, not its start). */
export type FileFormat = 'npy' | 'npz' | 'torch' | 'pickle' | 'mat5' | 'mat73' | 'hdf5' | 'delimited' | 'sheet' | 'json' | 'meadows' | 'image'

const IMAGE = /\.(jpe?g|png|webp|tiff?|gif|avif)$/i
const TEXT = /\.(csv|tsv|txt|dat)$/i
const TORCH = /\.(pt|pth)$/i
const SHEET = /\.xlsx$/i
const PICKLE = /\.(pkl|pickle)$/i
const JSON_TEXT = /\.(json|jsonl|ndjson)$/i

/** A name HumanAlign may read, judged from the name alone (to mark files in a folder without opening each). */
export const READABLE_NAME = /\.(npy|npz|pt|pth|pkl|pickle|mat|h5|hdf5|csv|tsv|txt|dat|xlsx|json|jsonl|ndjson|jpe?g|png|webp|tiff?|gif|avif)$/i

/** What a file is, from its first bytes (4 KiB) and, for text and images, its name. */
export function detectFormat(name: string, header: Uint8Array): FileFormat | null {
  const magic = (bytes: number[], at = 0) => bytes.every((b, i) => header[at + i] === b)
  if (magic([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59])) return 'npy'
  // A pickle named .pt is torch.save's pre-1.6 format: read as torch, which says how to convert it.
  if (isTorchZip(header) || (TORCH.test(name) && header[0] === 0x80)) return 'torch'
  const zip = magic([0x50, 0x4b, 0x03, 0x04]) || magic([0x50, 0x4b, 0x05, 0x06])
  if (zip && SHEET.test(name)) return 'sheet'
  if (zip) return 'npz'
  if (PICKLE.test(name)) return 'pickle'
  if (isMat73(header)) return 'mat73'
  if (isMat5(header)) return 'mat5'
  if (isHdf5(header)) return 'hdf5'
  if (IMAGE.test(name)) return 'image'
  if (TEXT.test(name)) return 'delimited'
  if (JSON_TEXT.test(name)) return 'json'
  return null
}
