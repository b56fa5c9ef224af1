import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { decodeNpy, encodeNpy } from '../../src-main/core/io/npy'
import { readArtifact } from '../../src-main/store/artifacts'
import { getDataset } from '../../src-main/store/datasets'
import { Project } from '../../src-main/store/project'
import { runCli } from '../helpers/cli'
import { useTmp } from '../helpers/tmp'

const tmp = useTmp()
const examples = join(__dirname, '../../resources/examples')
const fixtures = join(__dirname, '../fixtures/metrics')
// wasm: the CPU backend, so Dawn does not look for (and complain about) Vulkan drivers.
const json = (args: string[], env: NodeJS.ProcessEnv = {}) => {
  const r = runCli([...args, '--json'], { HUMANALIGN_BACKEND: 'wasm', ...env })
  expect(r.stderr).toBe('')
  return JSON.parse(r.stdout)
}

describe('humanalign eval', () => {
  it('rsa: RDM48 against the cosine RDM of the SPoSE embedding equals scipy', () => {
    const expected = JSON.parse(readFileSync(join(fixtures, 'rsa48.json'), 'utf8')).cosine_spearman as number
    const r = json(['eval', 'rsa', '--a', join(examples, 'things/RDM48_triplet.mat'), '--b', join(examples, 'things/spose_embedding66d_rescaled_48val_reordered.csv'), '--rdm', 'cosine'])
    expect(r.r).toBeCloseTo(expected, 10)
    expect(r).toMatchObject({ n: 48, pairs: 1128, b: 'cosine RDM of 48 × 66 features' })
  })

  it('rsa of files against several subjects\' matrices: r with each, their mean ± SEM, as SciPy computes them', () => {
    const it92 = decodeNpy(new Uint8Array(readFileSync(join(__dirname, '../fixtures/mat/it_rdms_squareform_scipy.npy'))))
    const hit = join(tmp(), 'hit.npy')
    writeFileSync(hit, encodeNpy({ dtype: '<f8', shape: [92, 92], data: (it92.data as Float64Array).slice(92 * 92) }))
    const scipy = JSON.parse(readFileSync(join(__dirname, '../fixtures/mat/hit_vs_judgments_scipy.json'), 'utf8')) as { r: number[]; mean: number; sem: number }
    const r = json(['eval', 'rsa', '--a', hit, '--b', join(examples, 'rsa92/92_behavRDMs.mat'), '--key-b', 'rdms_behav_92.RDM'])
    expect(r).toMatchObject({ b: 'mean of 16 matrices', perMatrix: { side: 'b' } })
    r.perMatrix.r.forEach((v: number, s: number) => expect(v).toBeCloseTo(scipy.r[s]!, 12))
    expect(r.perMatrix.mean).toBeCloseTo(scipy.mean, 12)
    expect(r.perMatrix.sem).toBeCloseTo(scipy.sem, 12)
  })

  it('ceiling: the 92-image noise ceiling equals the one computed with scipy', () => {
    const expected = JSON.parse(readFileSync(join(fixtures, 'rdm_cka.json'), 'utf8')).ceiling92_spearman
    const r = json(['eval', 'ceiling', '--rdms', join(examples, 'rsa92/92_behavRDMs.mat'), '--key', 'rdms_behav_92.RDM'])
    expect(r.lower).toBeCloseTo(expected.lower, 10)
    expect(r.upper).toBeCloseTo(expected.upper, 10)
  })

  it('ceiling: the leave-one-out agreement of repeated triplets equals the Python computation', () => {
    const fixture = JSON.parse(readFileSync(join(fixtures, 'triplet_ceiling.json'), 'utf8'))
    const file = join(tmp(), 'responses.tsv')
    writeFileSync(file, `${(fixture.triplets as number[][]).map((t) => t.join('\t')).join('\n')}\n`)
    const r = json(['eval', 'ceiling', '--triplets', file])
    expect(r.ceiling).toBeCloseTo(fixture.ceiling, 12)
    expect(r).toMatchObject({ responses: fixture.responses, repeatedTriplets: fixture.repeated, triplets: 400 })
    writeFileSync(file, '0\t1\t2\n3\t4\t5\n')
    expect(runCli(['eval', 'ceiling', '--triplets', file]).stderr).toContain('No triplet in')
  })

  it('odd-one-out: a constructed case with a known answer, stored as a run in a project', () => {
    const dir = tmp()
    // Two clusters: objects 0–2 and 3–5.
    const features = join(dir, 'features.npy')
    writeFileSync(features, encodeNpy({ dtype: '<f4', shape: [6, 2], data: Float32Array.of(1, 0, 0.9, 0.1, 0.95, 0.05, 0, 1, 0.1, 0.9, 0.05, 0.95) }))
    // The model agrees when the third object is the one from the other cluster: 3 of these 5.
    const triplets = join(dir, 'triplets.txt')
    writeFileSync(triplets, '0 1 3\n3 4 2\n1 2 5\n0 3 1\n4 0 5\n')
    const project = join(dir, 'p')
    expect(runCli(['project', 'create', project]).code).toBe(0)
    const r = json(['eval', 'odd-one-out', '--features', features, '--triplets', triplets, '--similarity', 'cosine', '--project', project])
    expect(r).toMatchObject({ accuracy: 0.6, correct: 3, total: 5, objects: 6, features: 2 })
    expect(r.run).toBeGreaterThan(0)
    const info = json(['project', 'info', project])
    expect(info.counts.runs).toBe(1)
    // Listed with its headline; removed by id.
    expect(info.runs).toEqual([{ id: r.run, kind: 'odd-one-out', name: expect.stringContaining('odd-one-out'), createdAt: expect.any(String), headline: expect.stringMatching(/^accuracy 0\.6000 \[[\d.]+, [\d.]+\] \(3 of 5\)$/) }])
    expect(json(['run', 'remove', String(r.run), '--project', project])).toEqual({ run: expect.objectContaining({ id: r.run, kind: 'odd-one-out' }), freed: { files: 0, bytes: 0 } })
    expect(json(['project', 'info', project]).counts.runs).toBe(0)
    expect(runCli(['run', 'remove', String(r.run), '--project', project]).stderr).toContain(`There is no run ${r.run} in this project.`)

    // The τ under which these five choices are most likely (SciPy's root of the likelihood's slope, temperature_fit.py).
    const expected = JSON.parse(readFileSync(join(fixtures, 'temperature_fit.json'), 'utf8')).constructedTemperature as number
    const fitted = runCli(['eval', 'odd-one-out', '--features', features, '--triplets', triplets, '--similarity', 'cosine', '--temperature', 'fit'], { HUMANALIGN_BACKEND: 'wasm' })
    const tau = Number(/mean entropy [\d.]+ \(τ = ([\d.]+), fitted to the human choices\)/.exec(fitted.stdout)?.[1])
    expect(Math.abs(tau / expected - 1)).toBeLessThan(1e-3)
    expect(json(['eval', 'odd-one-out', '--features', features, '--triplets', triplets, '--similarity', 'cosine', '--temperature', 'fit']).temperature / expected - 1).toBeCloseTo(0, 5)
    expect(runCli(['eval', 'odd-one-out', '--features', features, '--triplets', triplets, '--temperature', '0']).stderr).toContain('--temperature 0 must be a positive number, or fit.')

    writeFileSync(triplets, '0 1 9\n')
    const bad = runCli(['eval', 'odd-one-out', '--features', features, '--triplets', triplets])
    expect(bad.code).toBe(1)
    expect(bad.stderr).toContain(`${triplets}: triplet 0 refers to object 9, but the object list has 6 objects (0…5).`)
  })

  it('evaluates the project\'s datasets by id, as the window does: the same numbers as the files, per category too', () => {
    const dir = tmp()
    const project = join(dir, 'things')
    expect(runCli(['project', 'create', project, '--example', 'things'], { HUMANALIGN_BACKEND: 'wasm' }, 120_000).code).toBe(0)
    // Datasets 2 and 3: the 48 objects' SPoSE rows and RDM48, as SciPy compares the files.
    const expected = JSON.parse(readFileSync(join(fixtures, 'rsa48.json'), 'utf8')).cosine_spearman as number
    const rsa = json(['eval', 'rsa', '--a', '2', '--b', '3', '--rdm', 'cosine', '--project', project])
    expect(rsa.r).toBeCloseTo(expected, 10)
    expect(rsa).toMatchObject({ n: 48, pairs: 1128, a: 'SPoSE 66-d, the 48 RDM objects', b: 'RDM48: human triplet dissimilarities', run: expect.any(Number) })

    // Simulated triplets of the 1,854 concepts (dataset 6): accuracy equals that of the files the datasets hold, and
    // per THINGSplus category (dataset 5) it counts the triplets whose three objects the table puts in the category.
    json(['simulate', 'triplets', '--n', '20000', '--seed', '3', '--project', project])
    const byId = json(['eval', 'odd-one-out', '--features', '1', '--triplets', '6', '--categories-from', '5', '--project', project])
    const p = Project.open(project)
    const triplets = join(dir, 'triplets.npy')
    try {
      const dataset = getDataset(p.db, 6)!
      writeFileSync(triplets, encodeNpy(readArtifact(p.db, project, dataset.artifact!) as Parameters<typeof encodeNpy>[0]))
    } finally {
      p.close()
    }
    const files = json(['eval', 'odd-one-out', '--features', join(examples, 'things/spose_embedding66d_rescaled.csv'), '--triplets', triplets])
    expect(byId).toMatchObject({ accuracy: files.accuracy, correct: files.correct, total: 20_000, ceilingKind: 'simulated', run: expect.any(Number) })
    const table = readFileSync(join(examples, 'things/categories_final_20200131.tsv'), 'utf8').split('\n').slice(1, 1855).map((line) => line.split('\t').slice(2).map((v) => v.trim() === '1'))
    const animal = readFileSync(join(examples, 'things/categories_final_20200131.tsv'), 'utf8').split('\n')[0]!.split('\t').indexOf('animal') - 2
    const indices = Array.from(decodeNpy(new Uint8Array(readFileSync(triplets))).data as Int32Array)
    const inAnimal = Array.from({ length: 20_000 }, (_, t) => indices.slice(3 * t, 3 * t + 3).every((i) => table[i]![animal])).filter(Boolean).length
    expect(inAnimal).toBeGreaterThan(0)
    expect(byId.perCategory.animal.total).toBe(inAnimal)
    // In words: the ceiling, the categories and the run.
    const said = runCli(['eval', 'odd-one-out', '--features', '1', '--triplets', '6', '--categories-from', '5', '--project', project], { HUMANALIGN_BACKEND: 'wasm' }).stdout
    expect(said).toMatch(/^odd-one-out accuracy 0\.\d{4} \(95% CI/)
    expect(said).toContain('  noise ceiling 0.6730 (mean max choice probability)')
    expect(said).toContain(`    animal: ${byId.perCategory.animal.accuracy.toFixed(4)}`)
    expect(said).toMatch(/\n {2}run \d+ of the project\n$/)

    // Ids and files do not mix; categories go with ids.
    expect(runCli(['eval', 'odd-one-out', '--features', '1', '--triplets', triplets, '--project', project]).stderr).toContain(`--features and --triplets are both dataset ids of the project or both files; ${triplets} is a file.`)
    expect(runCli(['eval', 'odd-one-out', '--features', join(examples, 'things/spose_embedding66d_rescaled.csv'), '--triplets', triplets, '--categories-from', '5']).stderr).toContain('--categories-from names a concepts dataset of the project: it goes with eval odd-one-out of dataset ids (--project DIR).')
    expect(runCli(['eval', 'cka', '--a', '1', '--b', '99', '--project', project]).stderr).toContain('There is no dataset 99 in this project.')
  }, 180_000)

  it('cka and argument errors', () => {
    const dir = tmp()
    const a = join(dir, 'a.npy')
    writeFileSync(a, encodeNpy({ dtype: '<f8', shape: [5, 2], data: Float64Array.of(1, 2, 3, 1, 0, 5, 2, 2, 4, 0) }))
    expect(json(['eval', 'cka', '--a', a, '--b', a]).cka).toBeCloseTo(1, 12)
    expect(runCli(['eval', 'rsa', '--a', a]).stderr).toContain('--b is required.')
    expect(runCli(['eval', 'rsa', '--a', a, '--b', a, '--method', 'tau-b']).stderr).toContain('--method tau-b is not one of spearman, pearson, kendall.')
    expect(runCli(['eval', 'cmp']).stderr).toContain('eval needs one of odd-one-out, rsa, ceiling, cka (not cmp).')
  })
})
