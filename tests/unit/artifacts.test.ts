import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { decodeNpy } from '../../src-main/core/io/npy'
import { listArtifacts, putArray, writeFileAtomic } from '../../src-main/store/artifacts'
import { Project } from '../../src-main/store/project'
import { useTmp } from '../helpers/tmp'

const tmp = useTmp()
let project: Project | null = null
afterEach(() => project?.close())

describe('putArray', () => {
  it('names the file by the SHA-256 of the same bytes numpy.save writes', () => {
    project = Project.create(join(tmp(), 'p'), 'x', '1')
    const data = Float32Array.from({ length: 12 }, (_, i) => Math.fround(i / 7))
    const row = putArray(project.db, project.dir, { dtype: '<f4', shape: [3, 4], data })
    // `sha256sum tests/fixtures/npy/f32_3x4.npy`, a file written by NumPy.
    expect(row.sha256).toBe('8e3c357ab1b23fd5d829fbff6235bd5355e061915f33e10a77105ec2d36cf2ae')
    expect(row).toMatchObject({ file: `${row.sha256}.npy`, dtype: '<f4', shape: [3, 4], bytes: 176 })
    const back = decodeNpy(new Uint8Array(readFileSync(join(project.dir, 'artifacts', row.file))))
    expect(Array.from(back.data as Float32Array)).toEqual(Array.from(data))
  })

  it('stores the same content once and leaves no temporary files', () => {
    project = Project.create(join(tmp(), 'p'), 'x', '1')
    const a = { dtype: '<f8' as const, shape: [2], data: Float64Array.of(1, 2) }
    const first = putArray(project.db, project.dir, a)
    const second = putArray(project.db, project.dir, { ...a, data: Float64Array.of(1, 2) })
    putArray(project.db, project.dir, { ...a, data: Float64Array.of(2, 1) })
    expect(second).toEqual(first)
    expect(listArtifacts(project.db)).toHaveLength(2)
    expect(project.info().counts.artifacts).toBe(2)
    expect(readdirSync(join(project.dir, 'artifacts')).sort()).toEqual(listArtifacts(project.db).map((r) => r.file).sort())
  })
})

describe('writeFileAtomic', () => {
  it('replaces a file whole', () => {
    const file = join(tmp(), 'state.json')
    writeFileAtomic(file, new TextEncoder().encode('one'))
    writeFileAtomic(file, new TextEncoder().encode('two'))
    expect(readFileSync(file, 'utf8')).toBe('two')
    expect(readdirSync(join(file, '..'))).toEqual(['state.json'])
  })
})
