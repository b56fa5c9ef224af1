import { createReadStream } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { spawnSync } from 'node:child_process'
import { formatDelimited, parseDelimited, scanRows, type Column, type Table } from '../../src-main/core/io/delimited'

const text = (s: string) => [new TextEncoder().encode(s)]
/** The same text cut into one-byte chunks: every split point a stream can produce. */
const bytewise = (s: string) => Array.from(new TextEncoder().encode(s), (b) => Uint8Array.of(b))
const numbers = (t: Table, c: number) => Array.from(t.columns[c]!.numbers!)

/** The text cut into chunks of `size` bytes. */
const chunked = (s: string, size: number) => {
  const bytes = new TextEncoder().encode(s)
  return Array.from({ length: Math.ceil(bytes.length / size) }, (_, k) => bytes.subarray(k * size, (k + 1) * size))
}

describe('numbers read in place (the fast path of numeric tables)', () => {
  /** The line's numbers; 0 for a blank line; −1 when the line is left to the general path. */
  const scan = (line: string, delimiter: string | null, width = 3) => {
    const columns = Array.from({ length: width }, () => new Float64Array(1))
    const state = { at: 0, row: 0, lines: 0 }
    const why = scanRows(new TextEncoder().encode(`${line}\n`), delimiter === null ? null : delimiter.charCodeAt(0), columns, 1, state)
    if (why === 'line') return -1
    expect([why, state.lines]).toEqual(['end', 1])
    return state.row === 1 ? columns.map((c) => c[0]) : 0
  }

  it('gives exactly what Number() gives, for every way a number is written', () => {
    // Integers, decimals, signs, leading and trailing zeros, exponents: 30,000 fields from a fixed generator, each
    // of at most 14 digits and powers of ten within 10^±21, all of them read in place.
    let state = 12345
    const random = () => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31)
    const digits = (count: number) => Array.from({ length: count }, () => Math.floor(random() * 10)).join('')
    const field = () => {
      const sign = ['', '-', '+'][Math.floor(random() * 3)]!
      const whole = digits(Math.floor(random() * 9))
      const fraction = random() < 0.6 ? `.${digits(Math.floor(random() * 7))}` : ''
      const exponent = random() < 0.3 ? `${random() < 0.5 ? 'e' : 'E'}${['', '-', '+'][Math.floor(random() * 3)]}${Math.floor(random() * 16)}` : ''
      const body = whole + fraction
      return sign + (/\d/.test(body) ? body : '0') + exponent
    }
    for (let line = 0; line < 10_000; line++) {
      const fields = [field(), field(), field()]
      // Object.is: −0 stays −0, as Number('-0') is.
      expect(scan(fields.join(' '), null), fields.join(' ')).toSatisfy((values: unknown) => Array.isArray(values) && values.every((v, k) => Object.is(v, Number(fields[k]))))
    }
  })

  it('reads tabs, commas and spaces as the general path splits them, and leaves it everything else', () => {
    expect(scan('1\t2.5\t-3', '\t')).toEqual([1, 2.5, -3])
    expect(scan(' 1 , 2 ,3 ', ',')).toEqual([1, 2, 3])
    expect(scan('  1 \t 2   3  ', null)).toEqual([1, 2, 3])
    expect(scan('1 2 3\r', null)).toEqual([1, 2, 3])
    expect(scan('   ', null)).toBe(0)
    for (const [line, delimiter] of [
      ['1,,3', ','], ['1,2,3,', ','], ['"1",2,3', ','], ['1,2,3,4', ','], ['1 nan 3', null], ['1 inf 3', null],
      ['1e 2 3', null], ['0x10 2 3', null], ['1 2 3.4.5', null], ['1-2 3', null], ['1.5.5 2', null], ['1 2 12345678901234567', null], ['1 2 1e23', null],
      ['1\t\t2\t3', '\t'], ['1;2;3', null], ['1,2', ','], ['1 2\r3', null], ['1 2 3\r\r', null], ['1 2 é', null],
    ] as [string, string | null][]) {
      expect(scan(line, delimiter), line).toBe(-1)
    }
  })

  it('gives a numeric file the values, blank lines and messages of the general path, however it is cut', async () => {
    // 3,000 lines, past the 200 that settle the layout and the 1,024 rows the columns start with: whole numbers,
    // decimals and, on some lines, what only the general path reads (nan, 17 digits, a blank line, Windows line ends).
    const lines = Array.from({ length: 3000 }, (_, i) => `${i} ${(i * 0.37).toFixed(3)}   -${i * 1e-5}`)
    lines[700] = '700 nan 1'
    lines[800] = '800 1.0000000000000001 2'
    lines[850] = ''
    lines[2500] = '2500 Inf 1'
    const file = lines.join('\n').replace('\n950 ', '\r\n950 ') + '\n'
    const expected = lines.filter((l) => l !== '').map((l) => l.trim().split(/\s+/).map((f) => (f === 'Inf' ? Infinity : Number(f))))
    const bytes = new TextEncoder().encode(file).length
    // The file's size sizes the columns; a wrong size (a stream's length is only a hint) changes nothing but that.
    for (const size of [undefined, bytes, 100, 10 * bytes]) {
      for (const chunks of [text(file), chunked(file, 7), chunked(file, 4096)]) {
        const t = await parseDelimited(chunks, size === undefined ? {} : { size })
        expect(t.rows).toBe(2999)
        expect(t.columns.map((c) => Array.from(c.numbers!))).toEqual([0, 1, 2].map((k) => expected.map((row) => row[k])))
      }
    }
    // No newline at the end, a UTF-8 byte-order mark, a last line that is not numbers after lines read in place.
    const ragged = `\ufeff${lines.slice(0, 400).join('\n')}\n1 2 é`
    await expect(parseDelimited(text(ragged))).rejects.toThrow('line 401, column 3 ("column 3"): "é" is not a number')
    const unended = await parseDelimited(chunked(`\ufeff${lines.slice(0, 400).join('\n')}\n7 8 9`, 5))
    expect([unended.rows, numbers(unended, 0).slice(-2), numbers(unended, 2).at(-1)]).toEqual([401, [399, 7], 9])
    // A line short of a field is named by its number in the file, after lines read in place.
    const short = lines.map((l, i) => (i === 900 ? '900 1' : l)).join('\n')
    await expect(parseDelimited(text(short))).rejects.toThrow('line 901 has 2 fields, but the file has 3 columns')
  })
})

describe('delimited text', () => {
  it('reads whitespace-separated triplets without a header', async () => {
    const t = await parseDelimited(text('1 2 3\n4  5\t6\n\n7 8 9\n'))
    expect(t).toMatchObject({ delimiter: 'whitespace', header: false, rows: 3 })
    expect(t.columns.map((c) => c.name)).toEqual(['column 1', 'column 2', 'column 3'])
    expect(numbers(t, 2)).toEqual([3, 6, 9])
  })

  it('reads CSV with a header and an id column, whatever the chunking and line endings', async () => {
    const csv = 'id,x,y\r\na,1.5,-2e-3\r\n"b, quoted",.25,NaN\r\nc,3,inf'
    for (const chunks of [text(csv), bytewise(csv)]) {
      const t = await parseDelimited(chunks)
      expect(t).toMatchObject({ delimiter: ',', header: true, rows: 3 })
      expect(t.columns.map((c) => [c.name, c.kind])).toEqual([
        ['id', 'text'],
        ['x', 'number'],
        ['y', 'number'],
      ])
      expect(t.columns[0]!.texts).toEqual(['a', 'b, quoted', 'c'])
      expect(numbers(t, 1)).toEqual([1.5, 0.25, 3])
      expect(numbers(t, 2)).toEqual([-0.002, NaN, Infinity])
    }
  })

  it('reads the SPoSE embedding as pandas wrote it (empty index header, names, 66 numeric columns)', async () => {
    const file = join(__dirname, '../../resources/examples/things/spose_embedding66d_rescaled.csv')
    const t = await parseDelimited(createReadStream(file))
    expect(t.header).toBe(true)
    expect(t.rows).toBe(1854)
    expect(t.columns).toHaveLength(68)
    expect(t.columns[1]).toMatchObject({ name: 'image_name', kind: 'text' })
    expect(t.columns[1]!.texts![0]).toBe('aardvark_01b.jpg')
    expect(t.columns[2]!.name).toBe('0')
    expect(t.columns[2]!.numbers![0]).toBe(0.3412201532504557)
  })

  it('reads a TSV with quoted text', async () => {
    const t = await parseDelimited(text('Word\tdefinition\tanimal\naardvark\t"burrowing; nocturnal"\t1\nabacus\t"a frame"\t\n'))
    expect(t).toMatchObject({ delimiter: '\t', header: true, rows: 2 })
    expect(t.columns[1]!.texts).toEqual(['burrowing; nocturnal', 'a frame'])
    expect(numbers(t, 2)).toEqual([1, NaN])
  })

  it('reads semicolon-separated text with decimal commas, as spreadsheets save it where the comma is the decimal separator', async () => {
    const csv = 'Objekt;Wert;Anzahl\r\nApfel;0,5;3\r\n"Birne; reif";-1,25e-3;4\r\nKiwi;,75;\r\n'
    for (const chunks of [text(csv), bytewise(csv)]) {
      const t = await parseDelimited(chunks)
      expect(t).toMatchObject({ delimiter: ';', header: true, rows: 3 })
      expect(t.columns[0]!.texts).toEqual(['Apfel', 'Birne; reif', 'Kiwi'])
      expect(numbers(t, 1)).toEqual([0.5, -0.00125, 0.75])
      expect(numbers(t, 2)).toEqual([3, 4, NaN])
    }
    // A semicolon inside a comma-separated header does not make it semicolon-separated: the lines split unevenly.
    const commas = await parseDelimited(text('a;b,c\n1,2\n3,4\n'))
    expect(commas).toMatchObject({ delimiter: ',', header: true })
    expect(commas.columns.map((c) => c.name)).toEqual(['a;b', 'c'])
  })

  it('reads UTF-16 with a byte-order mark (Excel\'s "Unicode text") and Windows-1252, whatever the chunking', async () => {
    const tsv = 'Name\tGröße\nCafé\t1.5\nNaïve\t2\n'
    const utf16le = Uint8Array.from([0xff, 0xfe, ...Array.from(tsv).flatMap((ch) => [ch.charCodeAt(0) & 0xff, ch.charCodeAt(0) >> 8])])
    const utf16be = Uint8Array.from([0xfe, 0xff, ...Array.from(tsv).flatMap((ch) => [ch.charCodeAt(0) >> 8, ch.charCodeAt(0) & 0xff])])
    // Every character here is one byte in Windows-1252 (and in Latin-1, which agrees with it on these).
    const cp1252 = Uint8Array.from(Array.from(tsv, (ch) => ch.charCodeAt(0)))
    const utf8 = new TextEncoder().encode(tsv)
    for (const bytes of [utf16le, utf16be, cp1252, utf8]) {
      for (const chunks of [[bytes], Array.from(bytes, (b) => Uint8Array.of(b))]) {
        const t = await parseDelimited(chunks)
        expect(t.columns.map((c) => c.name)).toEqual(['Name', 'Größe'])
        expect(t.columns[0]!.texts).toEqual(['Café', 'Naïve'])
        expect(numbers(t, 1)).toEqual([1.5, 2])
      }
    }
  })

  it('reads a delimiter that ends every line as the end of the row, not as an empty column', async () => {
    const t = await parseDelimited(text('a\tb\t\n1\t2\t\n3\t4\t\n'))
    expect(t).toMatchObject({ delimiter: '\t', header: true, rows: 2 })
    expect(t.columns.map((c) => c.name)).toEqual(['a', 'b'])
    expect(numbers(t, 1)).toEqual([2, 4])
    expect((await parseDelimited(text('1,2,\n3,4,\n'))).columns).toHaveLength(2)
    // An empty last cell on some lines only is an empty cell of a real column.
    expect(numbers(await parseDelimited(text('1,2\n3,\n')), 1)).toEqual([2, NaN])
  })

  it('finds the header of a table of names without numbers, and takes the user\'s word where one column cannot tell', async () => {
    const shown = await parseDelimited(text('left,middle,right,chosen\ncat.jpg,dog.jpg,cow.jpg,dog.jpg\npig.jpg,cat.jpg,dog.jpg,pig.jpg\n'))
    expect(shown).toMatchObject({ header: true, rows: 2 })
    expect(shown.columns.map((c) => c.name)).toEqual(['left', 'middle', 'right', 'chosen'])
    // A first row whose names recur below it is data.
    expect(await parseDelimited(text('cat,dog,cow\npig,cat,dog\ncat,pig,cow\n'))).toMatchObject({ header: false, rows: 3 })
    // One column of names: a list, unless the user says its first row is a header.
    expect(await parseDelimited(text('Word\naardvark\nabacus\n'))).toMatchObject({ header: false, rows: 3 })
    const told = await parseDelimited(text('Word\naardvark\nabacus\n'), { header: true })
    expect(told).toMatchObject({ header: true, rows: 2 })
    expect(told.columns[0]).toMatchObject({ name: 'Word', texts: ['aardvark', 'abacus'] })
    expect(await parseDelimited(text('a,b\n1,2\n'), { header: false })).toMatchObject({ header: false, rows: 2 })
  })

  it('names the line and column of a problem', async () => {
    await expect(parseDelimited(text('1 2 3\n4 5\n'))).rejects.toThrow('line 2 has 2 fields, but the file has 3 columns')
    // A cell that is not a number makes its column a text column; past the lookahead it is an error.
    expect((await parseDelimited(text('a,b\n1,2\n3,x\n'))).columns[1]!.kind).toBe('text')
    const long = `a,b\n${'1,2\n'.repeat(300)}3,x\n`
    await expect(parseDelimited(text(long))).rejects.toThrow('line 302, column 2 ("b"): "x" is not a number')
    await expect(parseDelimited(text('\n\n'))).rejects.toThrow('the file is empty')
  })
})

describe('writing delimited text', () => {
  it('round-trips through our reader and is read by NumPy', async () => {
    const columns = [
      { name: 'id', kind: 'text' as const, texts: ['a', 'b, "quoted"', 'c'] },
      { name: 'x', kind: 'number' as const, numbers: Float64Array.of(0.1, -2.5e-8, 1 / 3) },
    ]
    const csv = formatDelimited(columns)
    expect(csv).toBe('id,x\na,0.1\n"b, ""quoted""",-2.5e-8\nc,0.3333333333333333\n')
    const back = await parseDelimited(text(csv))
    expect(back.columns[0]!.texts).toEqual(['a', 'b, "quoted"', 'c'])
    expect(numbers(back, 1)).toEqual([0.1, -2.5e-8, 1 / 3])
    const numeric: Column[] = [
      { name: 'i', kind: 'number', numbers: Float64Array.of(1, 2) },
      { name: 'x', kind: 'number', numbers: Float64Array.of(0.1, -2.5e-8) },
    ]
    const r = spawnSync('python3', ['-c', 'import sys, numpy as np; a = np.loadtxt(sys.stdin, delimiter=",", skiprows=1, usecols=1); print(repr(a.tolist()))'], {
      input: formatDelimited(numeric),
      encoding: 'utf8',
    })
    expect(r.stdout.trim()).toBe('[0.1, -2.5e-08]')
  })
})
