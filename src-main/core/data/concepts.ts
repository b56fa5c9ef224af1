import type { Column, Table } from '../io/delimited'
import { ValidationError } from './errors'

/** The objects' names, WordNet ids when known, and category memberships (one-hot). Row i is object i. */
export interface Concepts {
  n: number
  names: string[]
  wordnetIds: string[] | null
  categories: string[]
  /** n × categories, 1 where the object belongs to the category. */
  membership: Uint8Array
  /** Rows left out because they have no name (THINGSplus ends with a row of column totals). */
  skippedRows: number
  /** The column the names come from, or null when the table has none and objects are numbered. */
  nameColumn: string | null
  categorySource: string | null
}

/** What concepts are read from: a text table's columns, or a MATLAB struct array's fields. */
export type ConceptTable = Pick<Table, 'rows' | 'columns'>

const NAME = [/^uniqueid$/i, /^(word|name|names|concept|item|object)$/i]

const CATEGORY = /categor/i

/** The names column: a conventional name, else the first text column that is not a category label. */
function nameColumn(table: ConceptTable): Column | null {
  const text = table.columns.filter((c) => c.kind === 'text')
  for (const pattern of NAME) {
    const found = text.find((c) => pattern.test(c.name.trim()))
    if (found) return found
  }
  const first = text.find((c) => !CATEGORY.test(c.name))
  if (first) return first
  if (!text[0]) throw new ValidationError('concepts need a column of names (text); this table has only numbers.')
  return null
}

/**
 * A table's object names: its names column, rows without a name left out (THINGSplus ends with a row of column
 * totals); null when it has no text column to name them. `keep` marks the rows kept.
 */
export function tableNames(table: ConceptTable): { column: Column; names: string[]; keep: boolean[] } | null {
  const column = nameColumn(table)
  if (!column) return null
  const keep = column.texts!.map((name) => name.trim() !== '')
  return { column, names: column.texts!.filter((_, i) => keep[i]).map((v) => v.trim()), keep }
}

function isOneHot(column: Column, keep: boolean[]): boolean {
  if (column.kind !== 'number') return false
  const values = column.numbers!.filter((_, i) => keep[i])
  return values.every((v) => Number.isNaN(v) || v === 0 || v === 1) && values.some((v) => v === 1)
}

/**
 * Reads concepts from a table: names, WordNet ids, and categories from a category label column (a partition,
 * so preferred) or from 0/1 columns. Without a names column (the 92-image set has only categories) objects are
 * numbered from 1.
 */
export function toConcepts(table: ConceptTable): Concepts {
  const named = tableNames(table)
  const names = named?.column ?? null
  const keep = named?.keep ?? Array.from({ length: table.rows }, () => true)
  const rows = keep.filter(Boolean).length
  if (rows === 0) throw new ValidationError(`the name column "${names?.name ?? ''}" is empty.`)
  const pick = <T>(values: T[]): T[] => values.filter((_, i) => keep[i])

  const wordnet = table.columns.find((c) => c.kind === 'text' && /wordnet id$/i.test(c.name.trim()))
  const labels = table.columns.find((c) => c.kind === 'text' && c !== names && CATEGORY.test(c.name))
  const oneHot = labels ? [] : table.columns.filter((c) => isOneHot(c, keep))
  let categories: string[] = []
  let membership = new Uint8Array(0)
  if (oneHot.length) {
    categories = oneHot.map((c) => c.name)
    membership = new Uint8Array(rows * categories.length)
    oneHot.forEach((c, j) => pick(Array.from(c.numbers!)).forEach((v, i) => (membership[i * categories.length + j] = v === 1 ? 1 : 0)))
  } else if (labels) {
    const values = pick(labels.texts!).map((v) => v.trim())
    // In order of first appearance: files list objects grouped the way their authors present them.
    categories = [...new Set(values.filter((v) => v !== ''))]
    membership = new Uint8Array(rows * categories.length)
    values.forEach((v, i) => {
      const j = categories.indexOf(v)
      if (j >= 0) membership[i * categories.length + j] = 1
    })
  }
  return {
    n: rows,
    names: named ? named.names : Array.from({ length: rows }, (_, i) => String(i + 1)),
    wordnetIds: wordnet ? pick(wordnet.texts!).map((v) => v.trim()) : null,
    categories,
    membership,
    skippedRows: keep.length - rows,
    nameColumn: names?.name ?? null,
    categorySource: oneHot.length ? `${oneHot.length} one-hot columns` : labels ? `column "${labels.name}"` : null,
  }
}
