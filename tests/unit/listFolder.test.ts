// The folder listing behind the file picker.
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { userError } from '../../src-main/api/errors'
import { listFolder } from '../../src-main/files/listFolder'
import { useTmp } from '../helpers/tmp'

const tmp = useTmp()

describe('listFolder', () => {
  it('lists subfolders then files in natural order, marks what HumanAlign reads, and leaves hidden entries and dangling links out', () => {
    const dir = tmp()
    mkdirSync(join(dir, 'stimuli'))
    mkdirSync(join(dir, 'b_runs'))
    writeFileSync(join(dir, 'image_10.png'), '')
    writeFileSync(join(dir, 'image_2.png'), '')
    writeFileSync(join(dir, 'features.npy'), Buffer.alloc(1500))
    writeFileSync(join(dir, 'notes.docx'), 'x')
    writeFileSync(join(dir, '.DS_Store'), '')
    symlinkSync(join(dir, 'stimuli'), join(dir, 'linked'))
    symlinkSync(join(dir, 'missing.csv'), join(dir, 'dangling.csv'))
    const listing = listFolder(join(dir, 'stimuli', '..'))
    expect(listing.path).toBe(dir)
    expect(listing.parent).toBe(join(dir, '..'))
    expect(listing.total).toBe(7)
    expect(listing.entries.map((e) => [e.name, e.kind, e.bytes, e.readable])).toEqual([
      ['b_runs', 'folder', null, true],
      ['linked', 'folder', null, true],
      ['stimuli', 'folder', null, true],
      ['features.npy', 'file', 1500, true],
      ['image_2.png', 'file', 0, true],
      ['image_10.png', 'file', 0, true],
      ['notes.docx', 'file', 1, false],
    ])
    expect(listing.entries[3]!.path).toBe(join(dir, 'features.npy'))
    expect(listFolder('/').parent).toBeNull()
  })

  it('says what is wrong with a path that is not a folder', () => {
    const dir = tmp()
    writeFileSync(join(dir, 'a.csv'), '1')
    expect(() => listFolder(join(dir, 'a.csv'))).toThrow(`${join(dir, 'a.csv')} is a file, not a folder.`)
    let thrown: unknown
    try {
      listFolder(join(dir, 'nowhere'))
    } catch (err) {
      thrown = err
    }
    expect(userError(thrown)?.message).toBe(`${join(dir, 'nowhere')}: no such file or folder. Check the path.`)
  })
})
