// The AligNet "base vs aligned" table: its rows, and their cells as text for the command line, the AligNet page and
// the report alike.
import { pValueText } from './format'

export interface BeforeAfterRow {
  measure: string
  base: number
  aligned: number
  /** 95% intervals where the measure has one. */
  baseCi95: [number, number] | null
  alignedCi95: [number, number] | null
  /** Standard errors over subjects [base, aligned], where the measure is a mean over subjects. */
  sem?: [number, number]
  /** The best a model can do on these data, where known: a range, or one figure as [c, c]. */
  ceiling: [number, number] | null
  /** Aligned against base on the same triplets or subjects, two-sided: the test and its p-value. */
  test?: { name: string; p: number }
}

export interface BeforeAfterCells {
  base: string
  aligned: string
  change: string
  p: string
  ceiling: string
}

const interval = (ci: [number, number] | null) => (ci ? ` [${ci[0].toFixed(3)}, ${ci[1].toFixed(3)}]` : '')
const spread = (row: BeforeAfterRow, side: 0 | 1) => (row.sem ? ` ± ${row.sem[side].toFixed(3)}` : interval(side === 0 ? row.baseCi95 : row.alignedCi95))

export function beforeAfterCells(row: BeforeAfterRow): BeforeAfterCells {
  const change = row.aligned - row.base
  return {
    base: `${row.base.toFixed(3)}${spread(row, 0)}`,
    aligned: `${row.aligned.toFixed(3)}${spread(row, 1)}`,
    change: `${change >= 0 ? '+' : ''}${change.toFixed(3)}`,
    p: row.test ? pValueText(row.test.p) : '—',
    // A range (an RDM ceiling's lower and upper bound) or one figure (people's agreement on triplets).
    ceiling: !row.ceiling ? '—' : row.ceiling[0] === row.ceiling[1] ? row.ceiling[0].toFixed(3) : `${row.ceiling[0].toFixed(3)}–${row.ceiling[1].toFixed(3)}`,
  }
}
