// Delimited text: .csv (comma, or semicolon with decimal commas as spreadsheets write it where the comma is the
// decimal separator), .tsv (tab), .txt (tab, comma or runs of spaces), with or without a header row, numeric columns
// and text columns (ids, names); UTF-8, UTF-16 with a byte-order mark, or Windows-1252. Streaming: chunks are parsed
// as they arrive and each number is parsed once, so a 4.7-million-line triplet file never exists twice in memory.
import { concatBytes } from './bytes'

export type Delimiter = ',' | ';' | '\t' | 'whitespace'

export interface Column {
  name: string
  kind: 'number' | 'text'
  /** Numbers (NaN where a cell of a numeric column is empty) or the cells' text. */
  numbers?: Float64Array
  texts?: string[]
}

export interface Table {
  /** Null for a spreadsheet's sheet. */
  delimiter: Delimiter | null
  header: boolean
  rows: number
  columns: Column[]
}

export class DelimitedFormatError extends Error {
  override name = 'DelimitedFormatError'
}

/** Lines read before the columns' kinds are settled (empty cells say nothing about a column). */
const LOOKAHEAD = 200
const RETURN = 13

/** The delimiter of the first lines: a tab; semicolons when they split every line alike; a comma; else spaces. */
function detectDelimiter(lines: string[]): Delimiter {
  const first = lines[0]!
  if (first.includes('\t')) return '\t'
  if (first.includes(';')) {
    const widths = lines.map((line) => splitLine(line, ';').length)
    if (widths[0]! > 1 && widths.every((w) => w === widths[0])) return ';'
  }
  if (first.includes(',')) return ','
  return 'whitespace'
}

/** Fields of one line; double quotes protect delimiters, and "" inside quotes is a quote (RFC 4180). */
function splitLine(line: string, delimiter: Delimiter): string[] {
  if (delimiter === 'whitespace') return line.trim().split(/\s+/)
  if (!line.includes('"')) return line.split(delimiter).map((f) => f.trim())
  const fields: string[] = []
  let field = ''
  let quoted = false
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        field += '"'
        i++
      } else if (ch === '"') quoted = false
      else field += ch
    } else if (ch === '"' && field.trim() === '') {
      quoted = true
      field = ''
    } else if (ch === delimiter) {
      fields.push(field.trim())
      field = ''
    } else field += ch
  }
  fields.push(field.trim())
  return fields
}

const NUMERIC = /^[+-]?(\d+\.?\d*([eE][+-]?\d+)?|\.\d+([eE][+-]?\d+)?|nan|NaN|inf|Inf|infinity|Infinity)$/

function isNumeric(field: string): boolean {
  return NUMERIC.test(field)
}

function toNumber(field: string): number {
  if (field === '') return NaN
  const value = Number(field)
  if (!Number.isNaN(value)) return value
  const lower = field.toLowerCase()
  if (lower === 'nan' || lower === '+nan' || lower === '-nan') return NaN
  if (/^[+-]?inf(inity)?$/.test(lower)) return lower.startsWith('-') ? -Infinity : Infinity
  return Number(field)
}

/** Powers of ten a double holds exactly: a mantissa under 2^53 times or over one of them is correctly rounded. */
const EXACT_POWERS = Array.from({ length: 23 }, (_, k) => 10 ** k)
const SPACE = 32
const TAB = 9
const DIGIT_0 = 48
const DIGIT_9 = 57
const PLUS = 43
const MINUS = 45
const DOT = 46

/**
 * The numbers of one line of a numeric table, text[start, end), into `out`, without making strings: how many there
 * were (0: a blank line), or −1 for anything this does not read exactly — quotes, empty fields, nan/inf, more than 15
 * significant digits, powers of ten past 10^22 — which the general path then reads, with its messages. Each number is
 * its decimal mantissa times or over an exact power of ten, one correctly rounded operation (Clinger's fast path), so
 * the value is Number()'s.
 */
export function scanNumbers(text: string, start: number, end: number, delimiter: number | null, out: Float64Array): number {
  let i = start
  let count = 0
  const blank = (c: number) => c === SPACE || (c === TAB && delimiter !== TAB)
  for (;;) {
    while (i < end && blank(text.charCodeAt(i))) i++
    if (i === end) return count === 0 || delimiter === null ? count : -1
    if (count === out.length) return -1
    let c = text.charCodeAt(i)
    const negative = c === MINUS
    if (c === MINUS || c === PLUS) c = text.charCodeAt(++i)
    let mantissa = 0
    let digits = 0
    let scale = 0
    let seen = false
    while (c >= DIGIT_0 && c <= DIGIT_9) {
      seen = true
      if (mantissa !== 0 || c !== DIGIT_0) digits++
      mantissa = mantissa * 10 + (c - DIGIT_0)
      c = ++i < end ? text.charCodeAt(i) : -1
    }
    if (c === DOT) {
      c = ++i < end ? text.charCodeAt(i) : -1
      while (c >= DIGIT_0 && c <= DIGIT_9) {
        seen = true
        if (mantissa !== 0 || c !== DIGIT_0) digits++
        mantissa = mantissa * 10 + (c - DIGIT_0)
        scale--
        c = ++i < end ? text.charCodeAt(i) : -1
      }
    }
    if (!seen || digits > 15) return -1
    if (c === 101 || c === 69) {
      c = ++i < end ? text.charCodeAt(i) : -1
      const down = c === MINUS
      if (c === MINUS || c === PLUS) c = ++i < end ? text.charCodeAt(i) : -1
      let exponent = 0
      let any = false
      while (c >= DIGIT_0 && c <= DIGIT_9 && exponent < 1000) {
        any = true
        exponent = exponent * 10 + (c - DIGIT_0)
        c = ++i < end ? text.charCodeAt(i) : -1
      }
      if (!any) return -1
      scale += down ? -exponent : exponent
    }
    if (scale < -22 || scale > 22) return -1
    const value = scale < 0 ? mantissa / EXACT_POWERS[-scale]! : mantissa * EXACT_POWERS[scale]!
    out[count++] = negative ? -value : value
    const after = i
    while (i < end && blank(text.charCodeAt(i))) i++
    if (i === end) return count
    if (delimiter === null) {
      if (i === after) return -1
    } else {
      if (text.charCodeAt(i) !== delimiter) return -1
      i++
    }
  }
}

/** A growable Float64Array. */
class NumberColumn {
  private data = new Float64Array(1024)
  length = 0
  push(value: number): void {
    if (this.length === this.data.length) {
      const grown = new Float64Array(this.data.length * 2)
      grown.set(this.data)
      this.data = grown
    }
    this.data[this.length++] = value
  }
  finish(): Float64Array {
    return this.data.slice(0, this.length)
  }
}

/**
 * A first row that names text columns: with no numbers to go by, it does when the table has several columns, every
 * cell of the first row is filled and different, and none recurs in its column below ("Word" is not one of the words).
 * One column cannot be told apart from a list of names; the user says so (`header`).
 */
function namesColumns(rows: string[][]): boolean {
  const [first, ...rest] = rows
  if (!first || first.length < 2 || !rest.length || rest.some((row) => row.some((f) => isNumeric(f)))) return false
  if (first.some((f) => f === '' || isNumeric(f)) || new Set(first).size !== first.length) return false
  return first.every((name, c) => rest.every((row) => row[c] !== name))
}

/** Where a row came from, for messages: "line 12" of a text file, "row 12" of a sheet. */
export type RowUnit = 'line' | 'row'

/**
 * Rows of text fields made into typed columns. The first rows (up to 200) settle the layout: a header when the first
 * row has a name (or nothing) above a number or names text columns (namesColumns), unless the user said which;
 * a column is numeric when every non-empty cell of them is a number;
 * with `trailing`, an empty field ending every row (a delimiter ending every line, as some exporters write) ends the
 * row rather than opening an empty column. Later rows are parsed as they come, each number once.
 */
/**
 * A spreadsheet's or JSON record's value as the text a CSV export would hold: numbers in full precision, true/false
 * as 1/0, dates in ISO 8601, nested values as JSON, nothing for an empty cell.
 */
export function cellText(value: unknown): string {
  if (value === null || value === undefined) return ''
  if (value instanceof Date) return value.toISOString()
  if (typeof value === 'boolean') return value ? '1' : '0'
  if (typeof value === 'object') return JSON.stringify(value)
  return String(value)
}

export class TableBuilder {
  private pending: { fields: string[]; at: number }[] = []
  private layout: { header: boolean; names: string[]; kinds: ('number' | 'text')[]; trailing: boolean } | null = null
  private numberColumns: (NumberColumn | null)[] = []
  private textColumns: (string[] | null)[] = []
  private rows = 0

  /** `header`: whether the first row names the columns, when the user has said so; else it is detected. */
  constructor(private readonly options: { decimalComma: boolean; trailing: boolean; unit: RowUnit; header?: boolean }) {}

  private number(field: string): string {
    return this.options.decimalComma ? field.replace(/^([+-]?\d*),(\d)/, '$1.$2') : field
  }

  private decide(): void {
    let split = this.pending.map((p) => p.fields)
    const trailing = this.options.trailing && split.every((row) => row.length > 1 && row[row.length - 1] === '')
    if (trailing) split = split.map((row) => row.slice(0, -1))
    const numeric = (field: string) => isNumeric(this.number(field))
    const [a, b] = split
    const header = this.options.header ?? (b !== undefined && (a!.some((field, i) => !numeric(field) && b[i] !== undefined && numeric(b[i]!)) || namesColumns(split)))
    const data = header ? split.slice(1) : split
    const width = (header ? a! : data[0]!).length
    const kinds = Array.from({ length: width }, (_, c) =>
      (data.every((row) => row[c] === undefined || row[c] === '' || numeric(row[c]!)) ? 'number' : 'text') as 'number' | 'text',
    )
    const names = header ? a!.map((name, i) => name || `column ${i + 1}`) : kinds.map((_, i) => `column ${i + 1}`)
    this.layout = { header, names, kinds, trailing }
    this.numberColumns = kinds.map((k) => (k === 'number' ? new NumberColumn() : null))
    this.textColumns = kinds.map((k) => (k === 'text' ? [] : null))
    for (const [i, p] of this.pending.entries()) if (i > 0 || !header) this.addRow(p.fields, p.at)
    this.pending = []
  }

  private addRow(fields: string[], at: number): void {
    const l = this.layout!
    const unit = this.options.unit
    if (l.trailing && fields.length === l.kinds.length + 1 && fields[fields.length - 1] === '') fields.pop()
    if (fields.length !== l.kinds.length) {
      throw new DelimitedFormatError(`${unit} ${at} has ${fields.length} fields, but the ${unit === 'line' ? 'file' : 'table'} has ${l.kinds.length} columns`)
    }
    for (let c = 0; c < fields.length; c++) {
      const column = this.numberColumns[c]
      if (column) {
        const value = toNumber(this.number(fields[c]!))
        if (Number.isNaN(value) && fields[c] !== '' && !/nan/i.test(fields[c]!)) {
          throw new DelimitedFormatError(`${unit} ${at}, column ${c + 1} ("${l.names[c]}"): "${fields[c]}" is not a number`)
        }
        column.push(value)
      } else {
        this.textColumns[c]!.push(fields[c]!)
      }
    }
    this.rows++
  }

  /** How many columns, once the layout is settled and every column holds numbers with decimal points; else null. */
  numericWidth(): number | null {
    const l = this.layout
    return l && !this.options.decimalComma && l.kinds.every((k) => k === 'number') ? l.kinds.length : null
  }

  /** One row of numbers read by scanNumbers, `width` of them. */
  addNumbers(values: Float64Array): void {
    for (let c = 0; c < values.length; c++) this.numberColumns[c]!.push(values[c]!)
    this.rows++
  }

  /** One row's fields; `at` numbers it in messages. */
  add(fields: string[], at: number): void {
    if (this.layout) return this.addRow(fields, at)
    this.pending.push({ fields, at })
    if (this.pending.length >= LOOKAHEAD) this.decide()
  }

  /** The columns; null when no row came. */
  finish(): Pick<Table, 'header' | 'rows' | 'columns'> | null {
    if (!this.layout) {
      if (!this.pending.length) return null
      this.decide()
    }
    const l = this.layout!
    return {
      header: l.header,
      rows: this.rows,
      columns: l.kinds.map((kind, c) =>
        kind === 'number' ? { name: l.names[c]!, kind, numbers: this.numberColumns[c]!.finish() } : { name: l.names[c]!, kind, texts: this.textColumns[c]! },
      ),
    }
  }
}

/**
 * Parses delimited text from a stream of byte chunks. The first lines decide the delimiter; a TableBuilder the
 * header and which columns are text.
 */
export async function parseDelimited(chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, options: { header?: boolean } = {}): Promise<Table> {
  let carry = ''
  let lineNumber = 0
  const pending: { line: string; at: number }[] = []
  let delimiter: Delimiter | null = null
  let builder: TableBuilder | null = null

  const flush = (): void => {
    delimiter = detectDelimiter(pending.map((p) => p.line))
    builder = new TableBuilder({ decimalComma: delimiter === ';', trailing: delimiter !== 'whitespace', unit: 'line', ...options })
    for (const p of pending) builder.add(splitLine(p.line, delimiter), p.at)
  }

  const takeLine = (line: string): void => {
    lineNumber++
    if (line.trim() === '') return
    if (!builder) {
      pending.push({ line, at: lineNumber })
      if (pending.length >= LOOKAHEAD) flush()
      return
    }
    builder.add(splitLine(line, delimiter!), lineNumber)
  }

  // Once the layout is settled and every column is numeric, lines are read in place (scanNumbers): the THINGS
  // triplet files' 4.7 M lines in a fraction of the time of strings split and parsed one by one.
  let numbers: Float64Array | null = null
  let code: number | null = null
  const consume = (text: string): void => {
    let start = 0
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', start)) {
      const end = i > start && text.charCodeAt(i - 1) === RETURN ? i - 1 : i
      if (carry === '' && builder && (numbers ??= fastRow())) {
        const count = scanNumbers(text, start, end, code, numbers)
        if (count === numbers.length) {
          lineNumber++
          builder.addNumbers(numbers)
        } else if (count === 0) lineNumber++
        else takeLine(text.slice(start, end))
      } else {
        takeLine(carry + text.slice(start, end))
        carry = ''
      }
      start = i + 1
    }
    carry += text.slice(start)
  }
  /** The row buffer of the fast path, when the table is all numbers; else null (asked again next line). */
  const fastRow = (): Float64Array | null => {
    const width = builder!.numericWidth()
    if (width === null || delimiter === ';') return null
    code = delimiter === 'whitespace' ? null : delimiter!.charCodeAt(0)
    return new Float64Array(width)
  }

  for await (const text of decodedText(chunks)) consume(text)
  if (carry !== '') takeLine(carry.endsWith('\r') ? carry.slice(0, -1) : carry)
  if (!builder) {
    if (pending.length === 0) throw new DelimitedFormatError('the file is empty')
    flush()
  }
  return { delimiter: delimiter!, ...(builder as unknown as TableBuilder).finish()! }
}

/** Bytes read before the encoding is decided: enough text to meet an accented name. */
const SNIFF_BYTES = 1 << 16

/**
 * The text of the chunks: UTF-16 when a byte-order mark says so; UTF-8 when the first 64 KiB are valid UTF-8 (a
 * UTF-8 byte-order mark is dropped); else Windows-1252, what spreadsheets on Windows save as "CSV".
 */
async function* decodedText(chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): AsyncGenerator<string> {
  const start: Uint8Array[] = []
  let size = 0
  let decode: Decode | null = null
  let text: string
  for await (const chunk of chunks) {
    if (decode) yield decode(chunk)
    else {
      start.push(chunk)
      size += chunk.length
      if (size < SNIFF_BYTES) continue
      ;[decode, text] = decoderFor(concatBytes(start))
      yield text
    }
  }
  if (!decode) {
    ;[decode, text] = decoderFor(concatBytes(start))
    yield text
  }
  yield decode()
}

/** Decodes a chunk of a stream; called without one, it ends the stream. */
type Decode = (chunk?: Uint8Array) => string

/** A streaming decoder for text that starts with `head`, and `head` decoded. */
function decoderFor(head: Uint8Array): [Decode, string] {
  const bom16 = head[0] === 0xff && head[1] === 0xfe ? 'utf-16le' : head[0] === 0xfe && head[1] === 0xff ? 'utf-16be' : null
  let encoding = bom16 ?? 'utf-8'
  if (!bom16) {
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(head, { stream: true })
    } catch {
      encoding = 'windows-1252'
    }
  }
  const decoder = new TextDecoder(encoding)
  return [(chunk) => (chunk ? decoder.decode(chunk, { stream: true }) : decoder.decode()), decoder.decode(head, { stream: true })]
}

function quote(field: string, delimiter: string): string {
  return field.includes(delimiter) || field.includes('"') || field.includes('\n') ? `"${field.replace(/"/g, '""')}"` : field
}

/** Columns as delimited text with a header row; numbers keep full precision (shortest round-trip form). */
export function formatDelimited(columns: Column[], delimiter: ',' | '\t' = ','): string {
  const rows = columns.reduce((n, c) => Math.max(n, c.numbers?.length ?? c.texts?.length ?? 0), 0)
  const lines = [columns.map((c) => quote(c.name, delimiter)).join(delimiter)]
  for (let r = 0; r < rows; r++) {
    lines.push(
      columns
        .map((c) => {
          if (c.kind === 'text') return quote(c.texts?.[r] ?? '', delimiter)
          const v = c.numbers?.[r]
          return v === undefined || Number.isNaN(v) ? '' : String(v)
        })
        .join(delimiter),
    )
  }
  return `${lines.join('\n')}\n`
}
