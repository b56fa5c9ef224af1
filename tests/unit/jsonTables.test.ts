// JSON as experiments save it (tests/fixtures/json/make.py, written by Python's json module), read as tables.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { jsonTables } from '../../src-main/core/io/jsonTables'
import { detectFormat } from '../../src-main/core/io/detect'
import { inspectFile, readTable } from '../../src-main/files/readers'

const dir = join(__dirname, '../fixtures/json')
const text = (name: string) => readFileSync(join(dir, name), 'utf8')
const column = (table: ReturnType<typeof jsonTables>[number]['table'], name: string) => table.columns.find((c) => c.name === name)!

describe('JSON tables', () => {
  it("reads jsPsych's array of trial records: the keys' union as columns, empty cells where a record lacks one", () => {
    const [{ name, table }] = jsonTables(text('jspsych.json'), false) as [ReturnType<typeof jsonTables>[number]]
    expect(name).toBe('')
    expect(table).toMatchObject({ rows: 6, header: true, delimiter: null })
    expect(table.columns.map((c) => c.name)).toEqual(['trial_type', 'trial_index', 'rt', 'stimulus', 'response', 'subject', 'left', 'middle', 'right', 'chosen', 'correct'])
    expect(column(table, 'left').texts).toEqual(['', 'cat.jpg', 'pig.jpg', 'cow.jpg', 'dog.jpg', ''])
    expect(Array.from(column(table, 'rt').numbers!)).toEqual([2510.3, 812.5, 640, 1290, 955.25, 9000])
    // Booleans as 1/0, a nested response as its JSON.
    expect(Array.from(column(table, 'correct').numbers!).slice(1, 5)).toEqual([0, 1, 0, 1])
    expect(column(table, 'response').texts![5]).toBe('{"age":"31","hand":"right"}')
  })

  it('reads JSON Lines (an array of records per line, as JATOS exports) as the same table', () => {
    const lines = jsonTables(text('jatos.jsonl'), true)[0]!.table
    const whole = jsonTables(text('jspsych.json'), false)[0]!.table
    expect(lines).toEqual(whole)
  })

  it("reads each named list of a study object, and a matrix as rows; says where JSON is broken", async () => {
    expect(jsonTables(text('study.json'), false).map((t) => [t.name, t.table.rows])).toEqual([['participants', 2], ['trials', 4]])
    const [{ table: rdm }] = jsonTables(text('rdm.json'), false) as [ReturnType<typeof jsonTables>[number]]
    expect(rdm.header).toBe(false)
    expect(rdm.columns.map((c) => Array.from(c.numbers!))).toEqual([[0, 0.5, 1.25], [0.5, 0, 2], [1.25, 2, 0]])
    expect(() => jsonTables('[{"a": 1},', false)).toThrow(/^the file is not valid JSON/)
    expect(() => jsonTables('{"a": 1}\n{"a": ', true)).toThrow(/^line 2 is not valid JSON/)
    expect(detectFormat('trials.json', new Uint8Array())).toBe('json')
    expect(detectFormat('result.jsonl', new Uint8Array())).toBe('json')
    await expect(readTable(join(dir, 'study.json'))).rejects.toThrow('study.json holds several lists of records ("participants", "trials"); choose one with its key (--key NAME).')
    expect((await readTable(join(dir, 'study.json'), 'trials')).rows).toBe(4)
    expect((await inspectFile(join(dir, 'study.json'))).items.map((i) => i.key)).toEqual(['participants', 'trials'])
  })
})
