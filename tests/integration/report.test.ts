// `humanalign report`: a project's results as one HTML file, with tables, SVG figures and settings, that names
// its inputs safely; and the report renderer on its own.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { RunInfo } from '../../src-main/api/contract'
import { htmlReport, svgChart } from '../../src-main/report/htmlReport'
import { runCli } from '../helpers/cli'
import { useTmp } from '../helpers/tmp'

const tmp = useTmp()
const examples = join(__dirname, '../../resources/examples')
const env = { HUMANALIGN_BACKEND: 'wasm' }

describe('humanalign report', () => {
  it('writes the results of a project: the RSA table with its value, the figure, the settings', () => {
    const dir = join(tmp(), 'things')
    const config = { ...env, HUMANALIGN_CONFIG_DIR: join(tmp(), 'config') }
    expect(runCli(['project', 'create', dir, '--example', 'things'], config, 60_000).code).toBe(0)
    const rsa = runCli(['eval', 'rsa', '--a', join(examples, 'things/RDM48_triplet.mat'), '--b', join(examples, 'things/spose_embedding66d_rescaled_48val_reordered.csv'), '--rdm', 'cosine', '--project', dir, '--json'], config)
    expect(rsa.code, rsa.stderr).toBe(0)
    const r = JSON.parse(rsa.stdout).r as number
    const out = join(tmp(), 'report.html')
    const made = runCli(['report', '--project', dir, '--out', out, '--json'], config)
    expect(made.code, made.stderr).toBe(0)
    expect(JSON.parse(made.stdout)).toMatchObject({ path: out, runs: 1 })
    const html = readFileSync(out, 'utf8')
    expect(html).toContain('<h1>THINGS: 1,854 objects</h1>')
    expect(html).toContain('<h2>Representational similarity</h2>')
    expect(html).toContain(`<td>${r.toFixed(4)}</td>`)
    expect(html).toMatch(/<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/)
    expect(html).toContain('&quot;rdm&quot;: &quot;cosine&quot;')
    // The datasets with their details, every run with its headline.
    expect(html).toContain('<td>1,854 names (from &quot;item_names.tsv&quot;) · 53 categories from 53 one-hot columns · 1 row skipped</td>')
    expect(html).toMatch(new RegExp(`<td>spearman r ${r.toFixed(4)}( \\[[-\\d.]+, [-\\d.]+\\])?(, p [\\d.e-]+)?</td>`))
    // Nothing to fetch: no script, no link, no remote source.
    expect(html).not.toMatch(/<script|<link|src="http/)
  }, 120_000)

  it('says what is missing, and refuses a folder that is not a project', () => {
    expect(runCli(['report', '--project', tmp()]).stderr).toContain('report needs --out report.html.')
    const r = runCli(['report', '--project', tmp(), '--out', join(tmp(), 'r.html')])
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('is not a HumanAlign project')
  })
})

describe('the report renderer', () => {
  const run = (kind: string, name: string, params: unknown, result: unknown, id = 1): RunInfo => ({ id, kind, name, params, result, createdAt: '2026-01-01T00:00:00.000Z' })
  /** A report of these runs, in a project named p unless `more` says otherwise. */
  const reportOf = (runs: RunInfo[], more: Partial<Parameters<typeof htmlReport>[0]> = {}) =>
    htmlReport({
      project: { name: 'p', path: '/x', createdAt: 'then' },
      app: { version: '1', node: '20', electron: null, platform: 'linux' },
      generatedAt: 'now',
      datasets: [],
      runs,
      metrics: new Map(),
      labels: new Map(),
      ...more,
    })

  it('shows RSA against several subjects\' matrices as the mean over them ± SEM, the figure beside their ceiling', () => {
    const perMatrix = { side: 'b', names: ['s1', 's2'], r: [0.1, 0.2], mean: 0.15, sem: 0.05, signedRank: { statistic: 3, p: 0.25, n: 2 } }
    const html = reportOf([
      run('rsa', 'rsa', {}, { method: 'spearman', r: 0.3, ci95: [0.2, 0.4], p: null, a: 'model', b: 'judgments', perMatrix }),
      run('ceiling', 'ceiling', {}, { method: 'spearman', lower: 0.4, upper: 0.5, subjects: 2, dataset: 'judgments' }, 2),
      run('rsa', 'rsa', {}, { method: 'spearman', r: 0.2, ci95: null, p: null, a: 'other model', b: 'judgments', perMatrix: { ...perMatrix, r: [0.05, 0.1] } }, 3),
    ])
    expect(html).toContain('<td>0.3000</td><td>0.2000–0.4000</td><td></td><td>0.1500 ± 0.0500 (2), signed-rank p 0.250</td>')
    expect(html).toContain('model × judgments (mean over 2 matrices)')
    // The two models against the same subjects: both subjects favour "model" (differences 0.05, 0.1): p = 0.5.
    expect(html).toContain('<caption>Models compared across subjects')
    expect(html).toContain('<td>judgments</td><td>other model</td><td>model</td><td>-0.0750</td><td>0.500</td><td>0.500</td>')
  })

  it('tabulates an AligNet evaluation: base, aligned, the change, its test and the ceiling', () => {
    const rows = [
      { measure: 'odd-one-out accuracy (6 human triplets)', base: 0.5, aligned: 0.75, baseCi95: [0.2, 0.8], alignedCi95: [0.4, 0.93], ceiling: [0.77, 0.77], test: { name: "McNemar's exact test over the triplets", p: 0.5 } },
      { measure: "RSA, Spearman, mean over 3 subjects' matrices (judgments)", base: 0.429, aligned: 0.576, baseCi95: null, alignedCi95: null, sem: [0.016, 0.013], ceiling: [0.6, 0.7], test: { name: "Wilcoxon's signed-rank test over 3 subjects", p: 0.25 } },
    ]
    const html = reportOf([run('alignetEvaluate', 'AligNet evaluation', {}, { base: 'MobileNetV2', aligned: 'student', objects: 12, rows })])
    expect(html).toContain('<h2>AligNet: base vs aligned</h2>')
    expect(html).toContain("<tr><td>odd-one-out accuracy (6 human triplets)</td><td>0.500 [0.200, 0.800]</td><td>0.750 [0.400, 0.930]</td><td>+0.250</td><td>0.500 (McNemar&#39;s exact test over the triplets)</td><td>0.770</td></tr>")
    expect(html).toContain('<td>0.429 ± 0.016</td><td>0.576 ± 0.013</td><td>+0.147</td>')
    expect(html).toContain('<td>0.600–0.700</td>')
    expect(html).toContain('MobileNetV2 (base) vs student (aligned), 12 objects')
  })

  it('tabulates attention maps against human maps, with the baseline and the test, and masking against random masks', () => {
    const scores = { mean: { spearman: 0.41, pearson: 0.38, auc: 0.7, nss: null }, baseline: { spearman: 0.2, pearson: 0.18, auc: 0.6, nss: null }, aboveBaseline: { spearman: 0.0001, pearson: 0.002, auc: 0.05, nss: null }, humanMaps: 'langlois maps', perImage: [] }
    const html = reportOf([
      run('attention', 'maps', {}, { method: 'smoothgrad', model: 'MobileNetV2', images: 25, scores }),
      run('attentionMask', 'Masking by maps (50%)', {}, { keep: 0.5, fill: 'black', salient: { agreement: 0.72, similarity: 0.81 }, random: { agreement: 0.4, similarity: 0.66 } }, 2),
    ])
    expect(html).toContain('<h2>Passive attention</h2>')
    expect(html).toContain('smoothgrad maps of MobileNetV2 on 25 images against langlois maps')
    expect(html).toContain('<tr><td>mean</td><td>0.410</td><td>0.380</td><td>0.700</td><td>—</td></tr>')
    expect(html).toContain('<td>p, above the baseline (signed-rank over images, one-sided)</td><td>1.00e-4</td><td>0.00200</td><td>0.0500</td><td>—</td>')
    expect(html).toContain('<tr><td>Masking by maps (50%)</td><td>50.0%</td><td>black</td><td>72.0%</td><td>40.0%</td><td>0.810</td><td>0.660</td></tr>')
  })

  it('escapes every name it writes', () => {
    const html = reportOf([run('odd-one-out', 'x', { note: '"quoted"' }, { features: '<img src=x>', triplets: 't', similarity: 'dot', accuracy: 0.5, ci95: [0.4, 0.6], total: 10, perCategory: { '<b>animal</b>': { accuracy: 0.25, correct: 1, total: 4 } } })], {
      project: { name: '<script>alert(1)</script>', path: '/x', createdAt: 'then' },
      datasets: [{ id: 1, kind: 'features', name: 'a & <b>', sourcePath: null, artifact: null, shape: [2, 3], meta: {}, createdAt: 'then' }],
    })
    expect(html).not.toContain('<script>alert')
    expect(html).not.toContain('<img src=x>')
    expect(html).not.toContain('<b>animal</b>')
    // Accuracy per category, a column per run.
    expect(html).toContain('<h2>Odd-one-out accuracy per category</h2><table><thead><tr><th>category</th><th>run 1: &lt;img src=x&gt;</th></tr></thead><tbody><tr><td>&lt;b&gt;animal&lt;/b&gt;</td><td>0.2500 (1 of 4)</td></tr></tbody></table>')
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;')
    expect(html).toContain('a &amp; &lt;b&gt;')
    expect(html).toContain('<td>0.5000</td>')
  })

  it('draws a map coloured by category and a comparison matrix as SVG', () => {
    const html = reportOf(
      [
        run('map', 't-SNE: f', {}, { method: 'tsne', datasetName: 'f', coordinates: [0, 0, 1, 1, 2, 0], n: 3 }, 1),
        run('compare', 'comparison', {}, { names: ['a', 'b'], rsa: [1, 0.25, 0.25, 1], order: [1, 0], n: 3, rdm: 'correlation', method: 'spearman' }, 2),
      ],
      { labels: new Map([[3, { names: ['x', 'y', 'z'], categories: ['animal', 'tool'], category: [0, 1, 0] }]]) },
    )
    expect(html).toContain('t-SNE of f')
    expect(html.match(/<svg/g)).toHaveLength(2)
    expect(html).toContain('>animal<')
    expect(html).toContain('<td>0.250</td>')
    expect(svgChart({ xAxis: { type: 'value' }, yAxis: { type: 'value' }, series: [{ type: 'line', data: [[0, 1]] }] }, 100, 80)).toMatch(/^<svg[^>]*width="100"[^>]*height="80"/)
  })
})
