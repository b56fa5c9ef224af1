// Pickle files (.pkl, .pickle): what research code writes with pickle.dump — a dict of NumPy arrays and names, an
// rsatoolbox RDMs file (rdms.save(…, file_type='pkl')), lists of numbers. Read by our interpreter, which builds data
// and runs nothing; objects of other classes (a pandas DataFrame) are named, not read.
import { UnusableContent } from './npy'
import { pickledMembers, unpickle, type PickledMembers } from './pickle'

/** pandas keeps its frames in blocks this interpreter does not rebuild: how to save one readably instead. */
const PANDAS_ADVICE = 'save a pandas DataFrame with df.to_csv(…) or np.save(…, df.to_numpy()) instead'

export function decodePickleFile(bytes: Uint8Array): PickledMembers {
  // Protocol 2 and later begin with PROTO; 0 and 1 (Python 2's text pickles) are not read.
  if (bytes[0] !== 0x80 || bytes[1]! < 2) throw new UnusableContent('a pickle of protocol 0 or 1 (Python 2) is not read; load it and save it again with pickle.dump(obj, f) in Python 3')
  const members = pickledMembers(unpickle(bytes))
  if (Object.keys(members.arrays).length || Object.keys(members.texts).length) return members
  const classes = [...new Set(Object.values(members.others))]
  const pandas = classes.some((c) => c.startsWith('pandas.'))
  throw new UnusableContent(
    classes.length
      ? `the pickle holds no arrays of numbers or text, only ${classes.slice(0, 3).join(', ')}${pandas ? `; ${PANDAS_ADVICE}` : ''}`
      : 'the pickle holds no arrays of numbers or text',
  )
}
