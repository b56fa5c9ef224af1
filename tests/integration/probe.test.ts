import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { randomGenerator, simulateTriplets } from '../../src-main/core/data/simulate'
import { encodeNpy } from '../../src-main/core/io/npy'
import { decodeNpz } from '../../src-main/core/io/npz'
import { transformFromArrays } from '../../src-main/core/probe/transform'
import { runCli } from '../helpers/cli'
import { useTmp } from '../helpers/tmp'

const tmp = useTmp()
const env = { HUMANALIGN_BACKEND: 'wasm' }

/** Files of 120 objects: features (an embedding, stretched), simulated triplets and their soft labels. */
function files(dir: string) {
  const n = 120
  const p = 5
  const random = randomGenerator(9)
  const embedding = Float32Array.from({ length: n * p }, () => random() * 2 - 1)
  const simulated = simulateTriplets(embedding, n, p, 6000, 2, 0.25)
  const features = Float32Array.from(embedding, (v, k) => v * [5, 0.2, 1, 0.5, 3][k % p]!)
  writeFileSync(join(dir, 'features.npy'), encodeNpy({ dtype: '<f4', shape: [n, p], data: features }))
  writeFileSync(join(dir, 'triplets.npy'), encodeNpy({ dtype: '<i4', shape: [6000, 3], data: simulated.indices }))
  writeFileSync(join(dir, 'soft.npy'), encodeNpy({ dtype: '<f4', shape: [6000, 3], data: simulated.soft }))
  return { features: join(dir, 'features.npy'), triplets: join(dir, 'triplets.npy'), soft: join(dir, 'soft.npy'), n, p }
}

describe('humanalign probe', () => {
  it('cross-validates, writes gLocal’s transform.npz, and stores the run in a project', () => {
    const dir = tmp()
    const f = files(dir)
    expect(runCli(['project', 'create', join(dir, 'project')]).code).toBe(0)
    const out = join(dir, 'transform.npz')
    const args = ['probe', '--features', f.features, '--triplets', f.triplets, '--objective', 'soft', '--soft-labels', f.soft, '--lambda', '0.001,0.1', '--epochs', '20', '--lr', '0.01', '--out', out, '--project', join(dir, 'project')]
    const r = runCli([...args, '--json'], env)
    expect(r.stderr).toBe('')
    const result = JSON.parse(r.stdout)
    expect(result).toMatchObject({ objective: 'soft', n: f.n, p: f.p, q: f.p, triplets: 6000, out, backend: 'wasm', run: 1 })
    expect(result.folds).toHaveLength(6)
    expect(result.meanHeldOut).toBeGreaterThan(result.meanZeroShot + 0.03)
    const arrays = decodeNpz(new Uint8Array(readFileSync(out)))
    expect(Object.fromEntries(Object.entries(arrays).map(([k, a]) => [k, a.shape]))).toEqual({ weights: [5, 5], bias: [5], mean: [], std: [] })
    expect(transformFromArrays(arrays).mean).toBeCloseTo(result.mean, 10)

    const human = runCli(args.filter((a) => a !== '--project' && !a.endsWith('project')).concat([]), env)
    expect(human.code).toBe(0)
    expect(human.stderr).toMatch(/λ=0\.001 fold 1: held-out accuracy 0\.\d{4} \(zero-shot 0\.\d{4}, \d+ triplets\)/)
    expect(human.stdout).toMatch(/^probe \(soft\), λ = 0\.\d+ chosen by 3-fold cross-validation over objects\nheld-out odd-one-out accuracy 0\.\d{4}/)
  }, 120_000)

  it('probes the project\'s datasets by id as the window does, with the numbers of the same files', () => {
    const dir = tmp()
    const f = files(dir)
    const project = join(dir, 'project')
    expect(runCli(['project', 'create', project]).code).toBe(0)
    expect(runCli(['import', 'features', f.features, '--project', project], env).code).toBe(0)
    expect(runCli(['import', 'triplets', f.triplets, '--objects-from', '1', '--soft-labels', f.soft, '--project', project], env).code).toBe(0)
    const settings = ['--objective', 'soft', '--lambda', '0.001,0.1', '--epochs', '20', '--lr', '0.01']
    const fromFiles = JSON.parse(runCli(['probe', '--features', f.features, '--triplets', f.triplets, '--soft-labels', f.soft, ...settings, '--json'], env).stdout)
    const out = join(dir, 'by-id.npz')
    const r = runCli(['probe', '--features', '1', '--triplets', '2', ...settings, '--out', out, '--project', project, '--json'], env)
    expect(r.stderr).toBe('')
    const byId = JSON.parse(r.stdout)
    expect(byId).toMatchObject({ objective: 'soft', n: f.n, p: f.p, q: f.p, chosen: fromFiles.chosen, heldOut: fromFiles.heldOut, meanZeroShot: fromFiles.meanZeroShot, out, run: expect.any(Number) })
    expect(Object.keys(decodeNpz(new Uint8Array(readFileSync(out)))).sort()).toEqual(['bias', 'mean', 'std', 'weights'])
    // The run's transform written again later, by its id.
    const again = join(dir, 'again.npz')
    expect(runCli(['run', 'transform', String(byId.run), again, '--project', project], env).stdout).toContain(`The transform of run ${byId.run} (5 → 5 dimensions) written to ${again}`)
    expect(readFileSync(again)).toEqual(readFileSync(out))
    expect(runCli(['run', 'transform', String(byId.run), '--project', project], env).stderr).toContain("run transform takes a probe run's id and the .npz file to write")
    expect(runCli(['probe', '--features', '1', '--triplets', '2', '--soft-labels', f.soft, '--project', project], env).stderr).toContain('--soft-labels and --one-based are for triplet files')
    expect(runCli(['probe', '--features', '1', '--triplets', '2', '--out', join(dir, 't.npy'), '--project', project], env).stderr).toContain(`--out ${join(dir, 't.npy')}: a transform is written as an .npz file`)
    expect(runCli(['run', 'transform', '99', again, '--project', project], env).stderr).toContain('There is no run 99 in this project.')
  }, 120_000)

  it('says what is wrong', () => {
    const dir = tmp()
    const f = files(dir)
    const fail = (args: string[]) => {
      const r = runCli(['probe', '--features', f.features, '--triplets', f.triplets, ...args], env)
      expect(r.code).not.toBe(0)
      return r.stderr
    }
    const once = join(dir, 'once.txt')
    writeFileSync(once, Array.from({ length: f.n }, (_, t) => `${t} ${(t + 1) % f.n} ${(t + 2) % f.n}`).join('\n'))
    const noSoft = runCli(['probe', '--features', f.features, '--triplets', once, '--objective', 'soft'], env)
    expect(noSoft.stderr).toContain(`${once} has no soft labels and no triplet answered more than once; the soft objective needs one or the other`)
    expect(noSoft.stderr).toContain('--soft-labels FILE')
    expect(fail(['--objective', 'fancy'])).toContain('--objective')
    expect(fail(['--lambda', '0.1,x'])).toContain('--lambda 0.1,x must be non-negative numbers separated by commas.')
    expect(fail(['--folds', '1'])).toContain('cross-validation needs at least 2 folds')
    expect(fail(['--epochs', '0'])).toContain('--epochs 0 must be at least 1.')
    expect(fail(['--batch-size', '0'])).toContain('--batch-size 0 must be at least 1.')
    // Before any training: an output whose folder cannot be made.
    writeFileSync(join(dir, 'plain-file'), '')
    expect(fail(['--out', join(dir, 'plain-file', 'transform.npz')])).toBe(`humanalign: Cannot write ${join(dir, 'plain-file', 'transform.npz')}: a file stands where its folder should be. Choose another output path.\n`)
    writeFileSync(join(dir, 'short.npy'), encodeNpy({ dtype: '<f4', shape: [10, 3], data: new Float32Array(30) }))
    expect(fail(['--objective', 'soft', '--soft-labels', join(dir, 'short.npy')])).toContain('soft labels must be 6000 × 3')
    expect(existsSync(join(dir, 'transform.npz'))).toBe(false)
  })
})
