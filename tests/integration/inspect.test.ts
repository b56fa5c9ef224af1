import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { FileSummary } from '../../src-main/api/contract'
import { runCli } from '../helpers/cli'
import { useTmp } from '../helpers/tmp'

const tmp = useTmp()

const examples = join(__dirname, '../../resources/examples')
const fixtures = join(__dirname, '../fixtures')
const inspect = (file: string): FileSummary => {
  const r = runCli(['inspect', file, '--json'])
  expect(r.stderr).toBe('')
  return JSON.parse(r.stdout) as FileSummary
}

describe('humanalign inspect', () => {
  it('shows an array’s shape, dtype and first values', () => {
    expect(inspect(join(fixtures, 'npy/f32_3x4.npy')).items).toEqual([
      { key: '', kind: 'array', dtype: '<f4', shape: [3, 4], preview: [['0', '0.142857', '0.285714', '0.428571'], ['0.571429', '0.714286', '0.857143', '1'], ['1.14286', '1.28571', '1.42857', '1.57143']] },
    ])
  })

  it('lists every member of an .npz NumPy wrote: numbers, names as text, and a dtype it does not read, by name', () => {
    const items = inspect(join(fixtures, 'npy/features_named.npz')).items
    expect(items.map((i) => [i.key, i.kind])).toEqual([
      ['features', 'array'],
      ['names', 'text'],
      ['phase', 'unsupported'],
    ])
    expect(items[1]).toEqual({ key: 'names', kind: 'text', shape: [4], text: 'aardvark\nabacus\ncafé\nzebra' })
    expect(items[2]).toEqual({ key: 'phase', kind: 'unsupported', shape: [2], dtype: '<c8' })
    expect(inspect(join(fixtures, 'npy/features_named_deflated.npz')).items[1]).toEqual(items[1])
    expect(inspect(join(fixtures, 'npy/names.npy')).items).toEqual([{ key: '', kind: 'text', shape: [4], text: 'aardvark\nabacus\ncafé\nzebra' }])
    // Names as pandas keeps them, an array of objects (a pickle, read without running it); objects that are not all
    // text are named, not read.
    expect(inspect(join(fixtures, 'npy/names_object.npy')).items).toEqual([{ key: '', kind: 'text', shape: [4], text: 'aardvark\nabacus\ncafé\nzebra' }])
    expect(inspect(join(fixtures, 'npy/objects_mixed.npy')).items).toEqual([{ key: '', kind: 'unsupported', shape: [3], dtype: '|O' }])
  })

  it('finds the header of a table of names (the THINGS item names), and reads a first row as the user says', () => {
    const [names] = inspect(join(examples, 'things/item_names.tsv')).items
    expect(names).toMatchObject({ kind: 'table', rows: 1854, header: true, delimiter: '\t' })
    if (names?.kind !== 'table') throw new Error('expected a table')
    expect(names.columns.map((c) => c.name)).toEqual(['Word', 'Wordnet Synset', 'Wordnet ID', 'Wordnet ID2', 'Wordnet ID3', 'uniqueID'])
    const asData = runCli(['inspect', join(examples, 'things/item_names.tsv'), '--no-header', '--json'])
    expect(JSON.parse(asData.stdout).items[0]).toMatchObject({ rows: 1855, header: false })
    expect(runCli(['inspect', join(examples, 'things/item_names.tsv'), '--header', '--no-header']).stderr).toContain('--header and --no-header contradict each other.')
  })

  it('shows each sheet of a workbook with data as a table, named by the sheet', () => {
    const items = inspect(join(fixtures, 'xlsx/study.xlsx')).items
    expect(items.map((i) => [i.key, i.kind, i.kind === 'table' ? i.rows : 0])).toEqual([
      ['trials', 'table', 3],
      ['features', 'table', 4],
    ])
    expect(items[1]).toMatchObject({ delimiter: null, header: true, columns: [{ name: 'image', kind: 'text' }, { name: 'f1', kind: 'number' }, { name: 'f2', kind: 'number' }, { name: 'f3', kind: 'number' }] })
    // Booleans as 1/0, dates in ISO 8601, and no empty column for the formatted cell at M1.
    expect(items[0]).toMatchObject({ preview: [['S1', 'cat.jpg', 'dog.jpg', 'cow.jpg', 'dog.jpg', '812.500', '1', '2026-03-01T09:30:00.000Z'], expect.any(Array), expect.any(Array)] })
  })

  it('says an HDF5 file whose contents cannot be listed is damaged, instead of showing it empty under the library’s error stack', () => {
    const file = join(tmp(), 'features.h5')
    const bytes = readFileSync(join(fixtures, 'hdf5/features.h5'))
    bytes.fill(0xab, 800, 1200)
    writeFileSync(file, bytes)
    const r = runCli(['inspect', file])
    expect(r.code).toBe(1)
    expect(r.stderr).toContain(`${file}: damaged HDF5 file: the HDF5 library cannot list its contents (bad symbol table node signature); save it again from the program that wrote it.`)
    expect(r.stderr).not.toContain('HDF5-DIAG')
    expect(r.stdout).toBe('')
  })

  it('lists a MAT-file’s variables and struct fields', () => {
    const file = join(examples, 'rsa92/Kriegeskorte_Neuron2008_supplementalData.mat')
    const summary = inspect(file)
    expect(summary.format).toBe('mat5')
    // In words for people: what the file is and its size.
    const first = runCli(['inspect', file]).stdout.split('\n')[0]!
    expect(first.startsWith(`${file}: MATLAB file (v5–v7), `)).toBe(true)
    expect(first).toMatch(/, \d+\.\d MiB$/)
    expect(summary.items.map((i) => [i.key, i.kind])).toEqual([
      ['categoryLabels', 'text'],
      ['RDMs_mIT_hIT_fig1', 'struct'],
      ['categoryVectors', 'array'],
      ['stimuli_92objs', 'struct'],
    ])
    expect(summary.items[3]).toMatchObject({ shape: [1, 92], fields: ['category', 'human', 'face', 'animal', 'natural', 'image'] })
    // A cell array of strings is shown as its strings (as SciPy reads them: [str(x[0]) for x in categoryLabels.ravel()]).
    expect(summary.items[0]).toEqual({ key: 'categoryLabels', kind: 'text', shape: [1, 12], text: 'animate\ninanim\nhuman\nnonhumani\nbody\nface\nnatObj\nartiObj\nrand24\nrand48\nother48\nmonkeyape' })
  })

  it('shows a table’s columns and first rows', () => {
    const [table] = inspect(join(examples, 'things/spose_embedding66d_rescaled.csv')).items
    expect(table).toMatchObject({ kind: 'table', rows: 1854, header: true, delimiter: ',' })
    if (table?.kind !== 'table') throw new Error('expected a table')
    expect(table.preview[0]!.slice(0, 3)).toEqual(['0', 'aardvark_01b.jpg', '0.341220'])
    expect(table.preview).toHaveLength(5)
  })

  it('lists the datasets of an HDF5 file and the images of a folder', () => {
    expect(inspect(join(fixtures, 'hdf5/features.h5')).items.map((i) => i.key)).toEqual(['features', 'meta', 'meta/ids'])
    expect(inspect(join(examples, 'langlois25')).items[0]).toMatchObject({ kind: 'images', count: 25 })
    expect(inspect(join(examples, 'langlois25')).items[0]).not.toHaveProperty('folders')
    // A folder of category folders: the images of each, and the folders that will be their categories.
    const root = join(tmp(), 'classes')
    for (const [folder, image] of [['dog', 'image_r_10.jpg'], ['dog', 'image_r_18.jpg'], ['cat', 'image_r_24.jpg']] as const) {
      mkdirSync(join(root, folder), { recursive: true })
      copyFileSync(join(examples, 'langlois25', image), join(root, folder, image))
    }
    expect(inspect(root).items[0]).toEqual({ key: '', kind: 'images', count: 3, files: ['cat/image_r_24.jpg', 'dog/image_r_10.jpg', 'dog/image_r_18.jpg'], folders: 2 })
    expect(runCli(['inspect', root]).stdout).toContain('  3 images in 2 subfolders (each also a category): cat/image_r_24.jpg, dog/image_r_10.jpg, dog/image_r_18.jpg')
  })

  it('refuses what it cannot read, naming the formats it can', () => {
    const r = runCli(['inspect', join(__dirname, '../../README.md')])
    // Its stderr with the code: it once exited 2 in CI, when start.test's first npx in the checkout ran `prepare` and
    // rebuilt out/ under it (fixed there with --ignore-scripts).
    expect(r.code, r.stderr).toBe(1)
    expect(r.stderr).toContain('README.md: unknown file type. HumanAlign reads .npy, .npz, .pt/.pth (torch.save), .pkl (pickle), .mat (v5–v7.3), .h5/.hdf5, .csv/.tsv/.txt, .xlsx, .json/.jsonl (tables, Meadows results).')
  })
})
