// Which array of a file holding several is meant, shared by the readers and the Data page: the names tools write
// by default, and keys that stack one array per subject.

/** The array names tools write by default, tried in order when a file holds several and no key is given. */
export const DEFAULT_KEYS = {
  /** thingsvision's features; rsatoolbox's Dataset files (.hdf5, .pkl: observations × channels). */
  features: ['features', 'measurements'],
  /** rsatoolbox's RDMs files (.hdf5, .pkl), Meadows' one participant (`rdmutv`) or several (`rdmutv_NAME`). */
  similarity: ['dissimilarities', 'rdmutv', 'rdmutv_*'],
} as const

/** The names a key matches: itself, or with `*` standing for any text (`rdmutv_*`), in the file's order. */
export function matchingKeys(names: readonly string[], key: string): string[] {
  if (!key.includes('*')) return names.includes(key) ? [key] : []
  const pattern = new RegExp(`^${key.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`)
  return names.filter((name) => pattern.test(name))
}

/**
 * Keys that stack several arrays of one shape, one per subject: `PREFIX_*` for each name prefix (up to its first
 * `_`) that two or more arrays of the same shape share, as Meadows names one participant's `rdmutv_NAME`.
 */
export function stackedKeys(arrays: readonly { key: string; shape: readonly number[] }[]): { key: string; count: number; shape: readonly number[] }[] {
  const groups = new Map<string, { key: string; shape: readonly number[] }[]>()
  for (const array of arrays) {
    const cut = array.key.indexOf('_')
    if (cut <= 0 || cut === array.key.length - 1) continue
    const prefix = array.key.slice(0, cut + 1)
    groups.set(prefix, [...(groups.get(prefix) ?? []), array])
  }
  return [...groups].flatMap(([prefix, members]) =>
    members.length >= 2 && members.every((m) => m.shape.join() === members[0]!.shape.join()) ? [{ key: `${prefix}*`, count: members.length, shape: members[0]!.shape }] : [],
  )
}
