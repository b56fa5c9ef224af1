// Triplet tables as experiments export them (jsPsych, PsychoPy, the Levels data): the three objects shown, by index
// or by name (a file name, a concept), and the odd one out in a choice column rather than in the third place.
import { ValidationError } from './errors'
import { objectLookup } from './objectNames'

/** A table column: numbers, or the cells' text. */
export interface Cells {
  name: string
  numbers?: ArrayLike<number>
  texts?: string[]
}

/** The objects names refer to: a dataset's ids (file names, concept names). */
export interface ObjectNames {
  name: string
  ids: string[]
}

export type ChoiceCoding = 'object' | 'position 1–3' | 'position 0–2'

const cellText = (column: Cells, row: number): string => (column.texts ? column.texts[row]! : String(column.numbers![row]))

/**
 * The three triplet columns as numbers, the odd one out last. Names are looked up in `list` (object indices come
 * out 0-based); with a choice column, the odd one out is the chosen object (as the triplet columns write it) or
 * its position among the three (1–3, or 0–2 when a 0 occurs), and the other two keep their order.
 */
export function tripletIndexColumns(objects: Cells[], choice: Cells | undefined, list: ObjectNames | null): { columns: ArrayLike<number>[]; named: boolean; choice: ChoiceCoding | null } {
  const count = objects[0] ? cellCount(objects[0]) : 0
  const named = objects.find((c) => c.texts)
  if (named && !list) {
    throw new ValidationError(
      `column "${named.name}" holds names ("${named.texts![0]}"), not indices: choose the object list they name (--objects-from: a features, images or concepts dataset whose ids are these names).`,
    )
  }
  const find = named ? objectLookup(list!.ids) : null
  // Columns of indices are used as they are: 4.7 M triplets are not copied.
  let columns: ArrayLike<number>[]
  if (find) {
    const examples = list!.ids.slice(0, 3).map((id) => `"${id}"`).join(', ')
    columns = objects.map((column) =>
      Float64Array.from({ length: count }, (_, r) => {
        const index = find(cellText(column, r))
        if (index === undefined) throw new ValidationError(`row ${r + 1}, column "${column.name}": "${cellText(column, r)}" is not an object of "${list!.name}" (its ids are like ${examples}).`)
        return index
      }),
    )
  } else {
    columns = objects.map((column) => column.numbers!)
  }
  if (!choice) return { columns, named: named !== undefined, choice: null }

  // The chosen object, if every row's choice is one of its three; else positions.
  const positions = new Int8Array(count)
  let unmatched = -1
  for (let r = 0; r < count && unmatched < 0; r++) {
    const value = find ? (choice.texts ? find(choice.texts[r]!) : undefined) : choice.numbers?.[r]
    positions[r] = value === undefined ? -1 : columns.findIndex((c) => c[r] === value)
    if (positions[r]! < 0) unmatched = r
  }
  let coding: ChoiceCoding = 'object'
  if (unmatched >= 0) {
    const values = choice.numbers
    let [whole, min, max] = [values !== undefined, Infinity, -Infinity]
    for (let r = 0; values && r < count; r++) {
      const v = values[r]!
      whole &&= Number.isInteger(v)
      min = Math.min(min, v)
      max = Math.max(max, v)
    }
    const base = whole && min === 0 && max <= 2 ? 0 : whole && min >= 1 && max === 3 ? 1 : null
    if (base === null) {
      const shown = columns.map((_, c) => cellText(objects[c]!, unmatched)).join(', ')
      throw new ValidationError(
        `the choice column "${choice.name}" holds neither one of each triplet's three objects (row ${unmatched + 1}: "${cellText(choice, unmatched)}" is none of ${shown}) ` +
          'nor their positions (1–3, or 0–2).' +
          (whole && min >= 1 && max <= 2 ? ' Its values are only 1 and 2, so whether positions count from 0 or 1 cannot be told.' : ''),
      )
    }
    coding = base === 0 ? 'position 0–2' : 'position 1–3'
    for (let r = 0; r < count; r++) positions[r] = values![r]! - base
  }
  const ordered = [new Float64Array(count), new Float64Array(count), new Float64Array(count)]
  for (let r = 0; r < count; r++) {
    const odd = positions[r]!
    const [a, b] = [0, 1, 2].filter((c) => c !== odd)
    ordered[0]![r] = columns[a!]![r]!
    ordered[1]![r] = columns[b!]![r]!
    ordered[2]![r] = columns[odd]![r]!
  }
  return { columns: ordered, named: named !== undefined, choice: coding }
}

const cellCount = (column: Cells): number => (column.texts ? column.texts.length : column.numbers!.length)
