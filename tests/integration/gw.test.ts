import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { decodeNpy, encodeNpy } from '../../src-main/core/io/npy'
import { runCli } from '../helpers/cli'
import { useTmp } from '../helpers/tmp'
import { gwReference } from '../helpers/gwReference'

const tmp = useTmp()
const env = { HUMANALIGN_BACKEND: 'wasm' }
const ref = gwReference

describe('humanalign gw', () => {
  it('aligns two dissimilarity matrices as POT does and writes the plan', () => {
    const dir = tmp()
    for (const [name, values] of [['a.npy', ref.c1], ['b.npy', ref.c2]] as const) writeFileSync(join(dir, name), encodeNpy({ dtype: '<f8', shape: [ref.n, ref.n], data: Float64Array.from(values) }))
    // POT's arithmetic: float64 products and plain Sinkhorn.
    const r = runCli(['gw', '--source', join(dir, 'a.npy'), '--target', join(dir, 'b.npy'), '--eps', String(ref.epsilon), '--precision', 'float64', '--domain', 'plain', '--out', join(dir, 'new', 'plan.npy'), '--json'], env)
    expect(r.stderr).toBe('')
    const result = JSON.parse(r.stdout)
    expect(result).toMatchObject({ n: 40, a: 'matrix', b: 'matrix', converged: true, logDomain: false, precision: 'float64' })
    expect(Math.abs(result.loss - ref.loss) / ref.loss).toBeLessThan(1e-9)
    expect(result.matching.top1).toBeCloseTo(ref.top1, 12)
    expect(result.matching.top10).toBeGreaterThanOrEqual(result.matching.top5)
    // The output's folder is made, as extract's is.
    const plan = decodeNpy(new Uint8Array(readFileSync(join(dir, 'new', 'plan.npy'))))
    expect(plan.shape).toEqual([40, 40])
    expect(Math.abs((plan.data as Float64Array)[0]! - ref.plan[0]!)).toBeLessThan(1e-12)
    // The defaults: float32 products on the backend, warm-started absorbed Sinkhorn — POT's loss to 1e-4.
    const fast = JSON.parse(runCli(['gw', '--a', join(dir, 'a.npy'), '--b', join(dir, 'b.npy'), '--epsilon', String(ref.epsilon), '--json'], env).stdout)
    expect(fast).toMatchObject({ converged: true, logDomain: true, precision: 'float32', backend: 'wasm', factored: [false, false] })
    expect(Math.abs(fast.loss - ref.loss) / ref.loss).toBeLessThan(1e-4)
    expect(fast.matching.top1).toBeCloseTo(ref.top1, 12)
  })

  it('takes the user’s marginals (weights of any scale, as .npy or text) as POT does, and refuses bad weights', () => {
    const dir = tmp()
    for (const [name, values] of [['a.npy', ref.c1], ['b.npy', ref.c2]] as const) writeFileSync(join(dir, name), encodeNpy({ dtype: '<f8', shape: [ref.n, ref.n], data: Float64Array.from(values) }))
    writeFileSync(join(dir, 'wa.npy'), encodeNpy({ dtype: '<f8', shape: [ref.n], data: Float64Array.from(ref.weighted.a) }))
    writeFileSync(join(dir, 'wb.txt'), ref.weighted.b.join('\n') + '\n')
    const args = ['gw', '--source', join(dir, 'a.npy'), '--target', join(dir, 'b.npy'), '--eps', String(ref.epsilon)]
    const weights = ['--source-weights', join(dir, 'wa.npy'), '--target-weights', join(dir, 'wb.txt')]
    const r = runCli([...args, ...weights, '--precision', 'float64', '--domain', 'plain', '--out', join(dir, 'plan.npy'), '--json'], env)
    expect(r.stderr).toBe('')
    const result = JSON.parse(r.stdout)
    expect(result.converged).toBe(true)
    // POT's loss 0.0063575 (uniform marginals: 0.0053788) and its top-1 matching.
    expect(Math.abs(result.loss - ref.weighted.loss) / ref.weighted.loss).toBeLessThan(1e-9)
    expect(Math.abs(result.loss - ref.loss) / ref.loss).toBeGreaterThan(0.1)
    expect(result.matching.top1).toBeCloseTo(ref.weighted.top1, 12)
    const plan = decodeNpy(new Uint8Array(readFileSync(join(dir, 'plan.npy')))).data as Float64Array
    expect(Math.max(...Array.from(plan, (v, k) => Math.abs(v - ref.weighted.plan[k]!)))).toBeLessThan(1e-12)
    // The plan's rows sum to A's weights over their total.
    const total = ref.weighted.a.reduce((s, w) => s + w, 0)
    for (let i = 0; i < ref.n; i++) expect(plan.subarray(i * ref.n, (i + 1) * ref.n).reduce((s, v) => s + v, 0)).toBeCloseTo(ref.weighted.a[i]! / total, 12)
    // The default float32 route reaches POT's loss with the same marginals.
    const fast = JSON.parse(runCli([...args, ...weights, '--json'], env).stdout)
    expect(Math.abs(fast.loss - ref.weighted.loss) / ref.weighted.loss).toBeLessThan(1e-4)
    // Bad weights: too few, a zero, a matrix.
    writeFileSync(join(dir, 'short.txt'), '1\n2\n3\n')
    writeFileSync(join(dir, 'zero.txt'), ref.weighted.b.map((w, i) => (i === 4 ? 0 : w)).join('\n'))
    writeFileSync(join(dir, 'square.npy'), encodeNpy({ dtype: '<f8', shape: [ref.n, ref.n], data: Float64Array.from(ref.c1) }))
    for (const [file, message] of [
      ['short.txt', `${join(dir, 'short.txt')}: holds 3 weights; the representations have 40 objects (one weight per object, in their order).`],
      ['zero.txt', `${join(dir, 'zero.txt')}: weight 5 is 0; every weight must be a positive number (drop an object from both representations rather than give it weight 0).`],
      ['square.npy', `${join(dir, 'square.npy')}: the weights must be one vector (one number per object); this is [40 × 40].`],
    ] as const) {
      const refused = runCli([...args, '--target-weights', join(dir, file)], env)
      expect(refused.code).toBe(1)
      expect(refused.stderr).toContain(message)
    }
  })

  it('searches ε over a grid, chooses the lowest loss without labels, and lists every trial', () => {
    const dir = tmp()
    for (const [name, values] of [['a.npy', ref.c1], ['b.npy', ref.c2]] as const) writeFileSync(join(dir, name), encodeNpy({ dtype: '<f8', shape: [ref.n, ref.n], data: Float64Array.from(values) }))
    // Two categories: the first and second half of the objects.
    writeFileSync(join(dir, 'halves.txt'), Array.from({ length: ref.n }, (_, i) => (i < ref.n / 2 ? 'first' : 'second')).join('\n'))
    const r = runCli(['gw', '--source', join(dir, 'a.npy'), '--target', join(dir, 'b.npy'), '--eps', '0.01,0.04', '--trials', '3', '--search', 'grid', '--inits', '2', '--categories', join(dir, 'halves.txt'), '--json'], env)
    expect(r.stderr).toBe('')
    const result = JSON.parse(r.stdout) as { epsilon: number; loss: number; trials: { epsilon: number; loss: number }[]; matching: { top1: number }; categoryMatching: { rate: number; objects: number } }
    // A row matched to itself is matched within its category: category matching is at least top-1.
    expect(result.categoryMatching.objects).toBe(ref.n)
    expect(result.categoryMatching.rate).toBeGreaterThanOrEqual(result.matching.top1)
    expect(result.trials).toHaveLength(3)
    result.trials.forEach((t, k) => expect(t.epsilon).toBeCloseTo([0.01, 0.02, 0.04][k]!, 12))
    const lowest = result.trials.reduce((a, b) => (b.loss < a.loss ? b : a))
    expect(result.epsilon).toBe(lowest.epsilon)
    expect(result.loss).toBe(lowest.loss)
    expect(runCli(['gw', '--source', join(dir, 'a.npy'), '--target', join(dir, 'b.npy')]).stderr).toContain('Give --eps E, or --eps LO,HI to search')
  })

  it('aligns the project\'s datasets by id as the window does, with the numbers of the same files', () => {
    const dir = tmp()
    for (const [name, values] of [['a.npy', ref.c1], ['b.npy', ref.c2]] as const) writeFileSync(join(dir, name), encodeNpy({ dtype: '<f8', shape: [ref.n, ref.n], data: Float64Array.from(values) }))
    const project = join(dir, 'project')
    expect(runCli(['project', 'create', project]).code).toBe(0)
    for (const name of ['a.npy', 'b.npy']) expect(runCli(['import', 'similarity', join(dir, name), '--measure', 'dissimilarity', '--project', project], env).code).toBe(0)
    for (const eps of [['0.02'], ['0.01,0.04', '--trials', '3', '--search', 'grid']]) {
      const files = JSON.parse(runCli(['gw', '--source', join(dir, 'a.npy'), '--target', join(dir, 'b.npy'), '--eps', ...eps, '--json'], env).stdout)
      const r = runCli(['gw', '--source', '1', '--target', '2', '--eps', ...eps, '--project', project, '--json'], env)
      expect(r.stderr).toBe('')
      const byId = JSON.parse(r.stdout)
      expect(byId).toMatchObject({ epsilon: files.epsilon, loss: files.loss, iterations: files.iterations, converged: files.converged, matching: files.matching, n: ref.n, run: expect.any(Number) })
    }
    // The plan written as gw of files writes it (float32 as the run keeps it)...
    const [fromFiles, fromRun] = [join(dir, 'files.npy'), join(dir, 'run.npy')]
    runCli(['gw', '--source', join(dir, 'a.npy'), '--target', join(dir, 'b.npy'), '--eps', '0.02', '--out', fromFiles], env)
    expect(JSON.parse(runCli(['gw', '--source', '1', '--target', '2', '--eps', '0.02', '--out', fromRun, '--project', project, '--json'], env).stdout).plan).toBe(fromRun)
    const plan = (file: string) => Array.from(decodeNpy(new Uint8Array(readFileSync(file))).data as Float32Array | Float64Array)
    const [expected, written] = [plan(fromFiles), plan(fromRun)]
    expect(Math.max(...written.map((v, k) => Math.abs(v - expected[k]!)))).toBeLessThan(1e-6 * Math.max(...expected))
    // ...its columns in B's own order: B named backwards (its matrix too) gives the same plan, columns reversed.
    const names = Array.from({ length: ref.n }, (_, i) => `o${i}`)
    writeFileSync(join(dir, 'a-names.txt'), names.join('\n'))
    writeFileSync(join(dir, 'b-names.txt'), [...names].reverse().join('\n'))
    const reversed = Float64Array.from({ length: ref.n * ref.n }, (_, k) => ref.c2[(ref.n - 1 - Math.floor(k / ref.n)) * ref.n + (ref.n - 1 - (k % ref.n))]!)
    writeFileSync(join(dir, 'b-reversed.npy'), encodeNpy({ dtype: '<f8', shape: [ref.n, ref.n], data: reversed }))
    expect(runCli(['import', 'similarity', join(dir, 'a.npy'), '--ids', join(dir, 'a-names.txt'), '--measure', 'dissimilarity', '--project', project], env).code).toBe(0)
    expect(runCli(['import', 'similarity', join(dir, 'b-reversed.npy'), '--ids', join(dir, 'b-names.txt'), '--measure', 'dissimilarity', '--project', project], env).code).toBe(0)
    const backwards = join(dir, 'backwards.npy')
    expect(JSON.parse(runCli(['gw', '--source', '3', '--target', '4', '--eps', '0.02', '--out', backwards, '--project', project, '--json'], env).stdout)).toMatchObject({ objectsMatchedByName: true })
    const n = ref.n
    expect(plan(backwards)).toEqual(written.map((_, k) => written[Math.floor(k / n) * n + (n - 1 - (k % n))]))
    // A wrong file name is named before the search, which then does not run.
    const runs = JSON.parse(runCli(['project', 'info', project, '--json']).stdout).counts.runs
    expect(runCli(['gw', '--source', '1', '--target', '2', '--eps', '0.02', '--out', join(dir, 'plan.txt'), '--project', project], env).stderr).toContain(`--out ${join(dir, 'plan.txt')}: a plan is written as a .npy file; end the name with .npy.`)
    expect(JSON.parse(runCli(['project', 'info', project, '--json']).stdout).counts.runs).toBe(runs)
    expect(runCli(['gw', '--source', join(dir, 'a.npy'), '--target', join(dir, 'b.npy'), '--eps', '0.02', '--project', project], env).stderr).toContain('gw of files does not store a run')
    expect(runCli(['gw', '--source', join(dir, 'a.npy'), '--target', join(dir, 'b.npy'), '--eps', '0.02', '--categories-from', '3'], env).stderr).toContain('--categories-from names a concepts dataset of the project')
  }, 60_000)

  it('refuses a matrix with a missing dissimilarity', () => {
    const dir = tmp()
    const holes = Float64Array.from(ref.c1)
    holes[3] = Number.NaN
    writeFileSync(join(dir, 'a.npy'), encodeNpy({ dtype: '<f8', shape: [ref.n, ref.n], data: holes }))
    writeFileSync(join(dir, 'b.npy'), encodeNpy({ dtype: '<f8', shape: [ref.n, ref.n], data: Float64Array.from(ref.c2) }))
    const r = runCli(['gw', '--source', join(dir, 'a.npy'), '--target', join(dir, 'b.npy'), '--eps', '0.01'], env)
    expect(r.code).toBe(1)
    expect(r.stderr).toContain(`${join(dir, 'a.npy')}: the matrix holds NaN at row 0, column 3. Fill in missing entries before importing.`)
  })

  it('refuses a representation whose objects cannot be told apart, as an input error', () => {
    const dir = tmp()
    writeFileSync(join(dir, 'a.npy'), encodeNpy({ dtype: '<f8', shape: [ref.n, ref.n], data: new Float64Array(ref.n * ref.n) }))
    writeFileSync(join(dir, 'b.npy'), encodeNpy({ dtype: '<f8', shape: [ref.n, ref.n], data: Float64Array.from(ref.c2) }))
    const r = runCli(['gw', '--source', join(dir, 'a.npy'), '--target', join(dir, 'b.npy'), '--eps', '0.01'], env)
    expect(r.code).toBe(1)
    expect(r.stderr).toContain(`${join(dir, 'a.npy')} cannot be aligned: every dissimilarity is 0, so no object can be told from another. Choose another representation.`)
  })

  it('says when the two sides describe different numbers of objects', () => {
    const dir = tmp()
    writeFileSync(join(dir, 'a.npy'), encodeNpy({ dtype: '<f4', shape: [5, 3], data: Float32Array.from({ length: 15 }, (_, k) => Math.sin(k)) }))
    writeFileSync(join(dir, 'b.npy'), encodeNpy({ dtype: '<f4', shape: [6, 3], data: Float32Array.from({ length: 18 }, (_, k) => Math.cos(k)) }))
    const r = runCli(['gw', '--a', join(dir, 'a.npy'), '--b', join(dir, 'b.npy'), '--epsilon', '0.1'])
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('describes 5 objects and')
  })
})
