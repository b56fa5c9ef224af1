// Meadows (meadows-research.com) results of one participant downloaded as JSON ("Meadows_EXP_v_vN_NAME_tree.json"):
// its tasks, each multiple-arrangement task with the stimuli it showed and the RDM estimated from the arrangements
// (`rdm`: the upper triangle, row by row, as SciPy's squareform). Read as the MATLAB download of the same results
// is: one `rdmutv_TASK` array (1 × pairs) per task, and `stimuli`, their names — a task that listed the stimuli in
// another order has its matrix put in the first task's order by name.
import { UnusableContent, type NpyArray } from './npy'

export interface MeadowsRdms {
  /** `rdmutv_TASK` for each multiple-arrangement task with an RDM, in the order of the file. */
  arrays: Record<string, NpyArray>
  /** The stimuli's names, in the order of every array. */
  stimuli: string[]
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json }
const isRecord = (value: unknown): value is { [key: string]: Json } => typeof value === 'object' && value !== null && !Array.isArray(value)

/** The stimuli a task showed, by name. */
function stimuliOf(task: { [key: string]: Json }, name: string): string[] {
  const list = task.stimuli
  if (!Array.isArray(list) || !list.every((s) => isRecord(s) && typeof s.name === 'string')) {
    throw new UnusableContent(`task "${name}" does not list its stimuli by name (stimuli[].name) as Meadows' JSON download does; download the results again, or as a MATLAB file`)
  }
  return list.map((s) => (s as { name: string }).name)
}

/** The upper triangle of the RDM of `m` stimuli, row by row, in float64. */
function upperTriangle(rdm: Json[], m: number, name: string): Float64Array {
  const pairs = (m * (m - 1)) / 2
  if (rdm.length !== pairs) throw new UnusableContent(`task "${name}" has an rdm of ${rdm.length} value(s), but its ${m} stimuli make ${pairs} pair(s); download the results again, or as a MATLAB file`)
  const other = rdm.find((v) => typeof v !== 'number')
  if (other !== undefined) throw new UnusableContent(`task "${name}" has ${JSON.stringify(other)} in its rdm, where a dissimilarity (a number) belongs; download the results again, or as a MATLAB file`)
  return Float64Array.from(rdm as number[])
}

/** The upper triangle of a matrix of `names`, taken in the order of `to` (the same names). */
function reordered(utv: Float64Array, names: string[], to: string[]): Float64Array {
  const m = names.length
  const at = new Map(names.map((n, i) => [n, i]))
  const index = (i: number, j: number): number => (i < j ? i * m - (i * (i + 1)) / 2 + j - i - 1 : index(j, i))
  const out = new Float64Array(utv.length)
  let k = 0
  for (let i = 0; i < m; i++) for (let j = i + 1; j < m; j++) out[k++] = utv[index(at.get(to[i]!)!, at.get(to[j]!)!)]!
  return out
}

/**
 * The RDMs of a Meadows results file, or null when `value` is not one (no task of type "multiarrange"). Tasks left
 * before their end have no RDM and are passed over; tasks that arranged different stimuli are refused, since their
 * matrices cannot be stacked.
 */
export function meadowsRdms(value: unknown): MeadowsRdms | null {
  if (!isRecord(value) || !Array.isArray(value.tasks)) return null
  const tasks = value.tasks.filter((t): t is { [key: string]: Json } => isRecord(t) && isRecord(t.task) && t.task.task_type === 'multiarrange')
  if (!tasks.length) return null
  const arrays: Record<string, NpyArray> = {}
  let stimuli: string[] | null = null
  let first = ''
  for (const [t, task] of tasks.entries()) {
    if (!Array.isArray(task.rdm)) continue
    const name = String((task.task as { name?: Json }).name ?? `task${t + 1}`)
    const names = stimuliOf(task, name)
    if (new Set(names).size !== names.length) throw new UnusableContent(`task "${name}" lists a stimulus name twice, so its matrix cannot be read by name; give the stimuli distinct names in Meadows`)
    let utv = upperTriangle(task.rdm, names.length, name)
    if (!stimuli) [stimuli, first] = [names, name]
    else if (names.join('\n') !== stimuli.join('\n')) {
      const known = new Set(stimuli)
      if (names.length !== stimuli.length || !names.every((n) => known.has(n))) {
        throw new UnusableContent(`tasks "${first}" and "${name}" arranged different stimuli, and HumanAlign stacks the matrices of one stimulus set; download each task's results on its own`)
      }
      utv = reordered(utv, names, stimuli)
    }
    const key = `rdmutv_${name}` in arrays ? `rdmutv_${name}_${t + 1}` : `rdmutv_${name}`
    arrays[key] = { dtype: '<f8', shape: [1, utv.length], data: utv }
  }
  if (!stimuli) throw new UnusableContent(`none of its ${tasks.length} multiple-arrangement task(s) has an RDM (each was left before its end); download the results of a participant who finished one`)
  return { arrays, stimuli }
}
