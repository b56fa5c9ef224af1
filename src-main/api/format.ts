// Number formatting shared by the CLI and the renderer.
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB']
  let value = bytes
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`
}

export function formatSeconds(seconds: number): string {
  if (seconds < 60) return `${Math.ceil(seconds)} s`
  const minutes = Math.floor(seconds / 60)
  if (minutes < 60) return `${minutes} min ${Math.round(seconds % 60)} s`
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`
}

/** "1 triplet", "2,000 triplets": a count with its noun in the right number. */
export function countOf(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en')} ${n === 1 ? one : many}`
}

/** What a removal freed in the project folder, as a sentence (empty when it freed nothing). */
export function freedText(freed: { files: number; bytes: number } | null): string {
  if (freed === null) return 'Its files are freed when the running jobs end.'
  return freed.files ? `Freed ${formatBytes(freed.bytes)} (${countOf(freed.files, 'file')}).` : ''
}

/** A folder of images as the Data page and `inspect` describe it: how many, in how many category folders, the first. */
export function imageFolderText(item: { count: number; files: string[]; folders?: number | undefined }): string {
  const folders = item.folders ? ` in ${countOf(item.folders, 'subfolder')} (each also a category)` : ''
  return `${countOf(item.count, 'image')}${folders}: ${item.files.join(', ')}${item.count > item.files.length ? ', …' : ''}`
}

/** What a file format is called, for people: "MATLAB file (v7.3)" rather than "mat73". */
const FORMAT_NAMES: Record<string, string> = {
  npy: 'NumPy array (.npy)',
  npz: 'NumPy archive (.npz)',
  torch: 'PyTorch file (torch.save)',
  pickle: 'Python pickle',
  mat5: 'MATLAB file (v5–v7)',
  mat73: 'MATLAB file (v7.3)',
  hdf5: 'HDF5 file',
  delimited: 'text table',
  sheet: 'Excel workbook',
  json: 'JSON',
  meadows: "Meadows' results (JSON)",
  'image folder': 'folder of images',
}
export const formatName = (format: string): string => FORMAT_NAMES[format] ?? format

/** The τ of a model's choice probabilities in words: "τ = 1", "τ = 183.2, fitted to the human choices", or that none fits. */
export function temperatureText(r: { temperature: number | null; temperatureFitted?: boolean }): string {
  if (r.temperature === null) return 'no τ fits the human choices better than chance: uniform probabilities'
  const tau = `τ = ${Number(r.temperature.toPrecision(4)).toLocaleString('en')}`
  return r.temperatureFitted ? `${tau}, fitted to the human choices` : tau
}

/** What each kind of triplet noise ceiling is, in words (evaluations and probes say which kind they read against). */
export function ceilingKindText(kind: string | null | undefined): string {
  const kinds: Record<string, string> = {
    simulated: 'mean max choice probability',
    'leave-one-out': 'leave-one-out agreement of repeated triplets',
    'leave-one-subject-out': "each subject's choice against the others' majority",
  }
  return kinds[kind ?? 'simulated'] ?? String(kind)
}

/** A p-value in three significant digits, small ones as powers of ten (1.53e-5, not 0.0000153). */
export const pValueText = (p: number): string => (p >= 0.001 ? p.toPrecision(3) : p >= 1e-300 ? p.toExponential(2) : '< 1e-300')
