import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { PROJECT_DB } from '../../src-main/store/project'
import { RecentProjects } from '../../src-main/store/recent'
import { useTmp } from '../helpers/tmp'

const tmp = useTmp()

describe('RecentProjects', () => {
  it('lists newest first, without duplicates, and says which folders still exist', async () => {
    const dir = tmp()
    const recent = RecentProjects.inConfigDir(join(dir, 'config'))
    mkdirSync(join(dir, 'a'))
    writeFileSync(join(dir, 'a', PROJECT_DB), '')
    recent.touch(join(dir, 'a'), 'A')
    recent.touch(join(dir, 'gone'), 'Gone')
    recent.touch(join(dir, 'a'), 'A renamed')
    const list = recent.list()
    expect(list.map((r) => [r.name, r.exists])).toEqual([
      ['A renamed', true],
      ['Gone', false],
    ])
    expect(recent.forget(join(dir, 'gone')).map((r) => r.name)).toEqual(['A renamed'])
  })

  it('reads a damaged file as empty and rewrites it', () => {
    const dir = tmp()
    writeFileSync(join(dir, 'recent-projects.json'), '{ not json')
    const recent = RecentProjects.inConfigDir(dir)
    expect(recent.list()).toEqual([])
    recent.touch('/x', 'X')
    expect(JSON.parse(readFileSync(join(dir, 'recent-projects.json'), 'utf8'))[0]).toMatchObject({ path: '/x', name: 'X' })
  })
})
