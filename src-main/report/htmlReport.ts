// A one-file HTML report of a project's results: tables, figures (SVG drawn by ECharts' server-side renderer, so
// the file needs no script and no network), every run's settings, and the versions that made them.
import * as echarts from 'echarts'
import type { DatasetInfo, RunInfo } from '../api/contract'
import { datasetDetails } from '../api/datasetDetails'
import { categoryAccuracy } from '../api/categoryAccuracy'
import { runHeadline } from '../api/runHeadline'
import { pValueText } from '../api/format'
import { ceilingFor, rsaBar } from '../api/rsaBar'
import { rsaComparisons } from '../api/rsaComparisons'
import { beforeAfterCells, type BeforeAfterRow } from '../api/beforeAfterTable'

export interface ReportInput {
  project: { name: string; path: string; createdAt: string }
  app: { version: string; node: string; electron: string | null; platform: string }
  generatedAt: string
  datasets: DatasetInfo[]
  runs: RunInfo[]
  /** Metric streams of the job that made each run (a probe's loss curves), by run id. */
  metrics: Map<number, { name: string; points: [number, number][] }[]>
  /** Names and first categories of n objects, for maps of that many objects. */
  labels: Map<number, { names: string[]; categories: string[]; category: number[] }>
}

const PALETTE = ['#2563eb', '#d97706', '#059669', '#db2777', '#7c3aed', '#0891b2', '#65a30d', '#dc2626', '#4b5563', '#ca8a04']

function escape(text: unknown): string {
  return String(text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!)
}

const fixed = (v: unknown, digits = 4) => (typeof v === 'number' && Number.isFinite(v) ? v.toFixed(digits) : '—')

/** An SVG figure from an ECharts option, drawn without a browser. */
export function svgChart(option: Record<string, unknown>, width = 720, height = 420): string {
  const chart = echarts.init(null, undefined, { renderer: 'svg', ssr: true, width, height })
  try {
    chart.setOption({ animation: false, textStyle: { fontFamily: 'system-ui, sans-serif' }, color: PALETTE, ...option })
    return chart.renderToSVGString()
  } finally {
    chart.dispose()
  }
}

function table(header: string[], rows: string[][], caption?: string): string {
  return `<table>${caption ? `<caption>${escape(caption)}</caption>` : ''}<thead><tr>${header.map((h) => `<th>${escape(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c) => `<td>${escape(c)}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`
}

function settings(run: RunInfo): string {
  return `<details><summary>Settings of run ${run.id}</summary><pre>${escape(JSON.stringify(run.params, null, 2))}</pre></details>`
}

type R = Record<string, unknown>
const result = (run: RunInfo) => (run.result ?? {}) as R

function accuracySection(runs: RunInfo[]): string {
  const rows = runs.filter((r) => r.kind === 'odd-one-out')
  if (!rows.length) return ''
  const body = rows.map((run) => {
    const r = result(run)
    const ci = r.ci95 as [number, number] | null
    return [String(r.features), String(r.triplets), String(r.similarity), fixed(r.accuracy), ci ? `${fixed(ci[0])}–${fixed(ci[1])}` : '', String(r.total), r.ceiling === null || r.ceiling === undefined ? '' : fixed(r.ceiling)]
  })
  return `<section><h2>Odd-one-out accuracy</h2>${table(['features', 'triplets', 'similarity', 'accuracy', '95% CI', 'triplets', 'noise ceiling'], body)}<p class="note">Chance is 0.3333.</p>${rows.map(settings).join('')}</section>`
}

function categorySection(runs: RunInfo[]): string {
  const found = categoryAccuracy(runs)
  if (!found) return ''
  const rows = found.categories.map((category, c) => [category, ...found.cells[c]!.map((cell) => (cell ? `${fixed(cell.accuracy)} (${cell.correct} of ${cell.total})` : ''))])
  return `<section><h2>Odd-one-out accuracy per category</h2>${table(['category', ...found.runs.map((r) => `run ${r.id}: ${r.features}`)], rows)}<p class="note">Of the triplets whose three objects are all in the category; empty where a run has none of them.</p></section>`
}

function rsaSection(runs: RunInfo[]): string {
  const rsa = runs.filter((r) => r.kind === 'rsa')
  const ceilings = runs.filter((r) => r.kind === 'ceiling' && typeof result(r).lower === 'number')
  if (!rsa.length && !ceilings.length) return ''
  const bars = rsa.map((run) => rsaBar(run.result))
  // The newest ceiling of data the bars are read against, as the Results page draws it.
  const ceiling = ceilingFor(bars, runs.slice().reverse())
  const figure = bars.length
    ? svgChart(
        {
          grid: { left: 16, right: 24, top: 24, bottom: 28, containLabel: true },
          xAxis: { type: 'value', min: Math.min(0, ...bars.map((b) => b.ci?.[0] ?? b.r)), max: 1 },
          yAxis: { type: 'category', data: bars.map((b) => b.label), axisLabel: { width: 280, overflow: 'truncate', fontSize: 11 } },
          series: [
            {
              type: 'bar',
              data: bars.map((b) => b.r),
              label: { show: true, position: 'right', formatter: (p: { value: number }) => p.value.toFixed(3) },
              markArea: ceiling ? { itemStyle: { color: 'rgba(120,120,120,0.18)' }, data: [[{ xAxis: ceiling.lower, name: 'noise ceiling' }, { xAxis: ceiling.upper }]] } : undefined,
            },
            {
              type: 'custom',
              renderItem: (_params: unknown, api: { value: (i: number) => number; coord: (v: [number, number]) => [number, number] }) => {
                const [lo, hi, y] = [api.value(0), api.value(1), api.value(2)]
                const [a, b] = [api.coord([lo, y]), api.coord([hi, y])]
                return { type: 'line', shape: { x1: a[0], y1: a[1], x2: b[0], y2: b[1] }, style: { stroke: '#111', lineWidth: 1.5 } }
              },
              data: bars.flatMap((b, y) => (b.ci ? [[b.ci[0], b.ci[1], y]] : [])),
            },
          ],
        },
        760,
        Math.max(160, 60 + 44 * bars.length),
      )
    : ''
  const rows = rsa.map((run) => {
    const r = result(run)
    const ci = r.ci95 as [number, number] | null
    const each = r.perMatrix as { r: unknown[]; mean: number | null; sem: number | null; signedRank?: { p: number } | null } | undefined
    const test = each?.signedRank ? `, signed-rank p ${pValueText(each.signedRank.p)}` : ''
    const perMatrix = each?.mean != null ? `${fixed(each.mean)}${each.sem === null ? '' : ` ± ${fixed(each.sem)}`} (${each.r.length})${test}` : ''
    return [String(r.a), String(r.b), String(r.method), fixed(r.r), ci ? `${fixed(ci[0])}–${fixed(ci[1])}` : '', typeof r.p === 'number' ? r.p.toPrecision(3) : '', perMatrix]
  })
  const compared = rsaComparisons(runs.slice().reverse()).map((c) => [c.against, c.first, c.second, fixed(c.meanDifference), pValueText(c.p), `${pValueText(c.q)}${c.q < 0.05 ? ' ✓' : ''}`])
  const comparisons = compared.length
    ? table(['against', 'model', 'model', 'mean difference in r', 'p (signed-rank, two-sided)', 'q (FDR)'], compared, 'Models compared across subjects (Nili et al. 2014): the paired differences of their correlations with each subject; ✓: q < 0.05')
    : ''
  const ceilingRows = ceilings.map((run) => [String(result(run).dataset), String(result(run).method), fixed(result(run).lower), fixed(result(run).upper), String(result(run).subjects)])
  return `<section><h2>Representational similarity</h2>${figure ? `<figure>${figure}<figcaption>Bars: RSA correlations, against several subjects' matrices the mean of the correlations with each (what their noise ceiling bounds); whiskers: 95% bootstrap intervals, or ± SEM over subjects for those means; band: the noise ceiling of the human data (Nili et al. 2014).</figcaption></figure>` : ''}${
    rows.length ? table(['a', 'b', 'method', 'r', '95% CI', 'p', 'mean r over the matrices ± SEM (count), one-sided signed-rank p'], rows) : ''
  }${comparisons}${ceilingRows.length ? table(['data', 'method', 'lower bound', 'upper bound', 'subjects'], ceilingRows, 'Noise ceilings') : ''}${[...rsa, ...ceilings].map(settings).join('')}</section>`
}

function probeSection(runs: RunInfo[], metrics: ReportInput['metrics']): string {
  const probes = runs.filter((r) => r.kind === 'probe')
  if (!probes.length) return ''
  return `<section><h2>Affine probes</h2>${probes
    .map((run) => {
      const r = result(run)
      const curves = (metrics.get(run.id) ?? []).filter((m) => m.name.endsWith(' · loss'))
      const figure = curves.length
        ? svgChart(
            {
              legend: { bottom: 0, width: 680 },
              grid: { left: 56, right: 24, top: 24, bottom: 56 },
              xAxis: { type: 'value', name: 'epoch', nameLocation: 'middle', nameGap: 24 },
              yAxis: { type: 'value', name: 'training loss', scale: true },
              series: curves.map((c) => ({ type: 'line', name: c.name.replace(' · loss', ''), showSymbol: false, data: c.points })),
            },
            720,
            320,
          )
        : ''
      const folds = ((r.folds as R[] | undefined) ?? []).map((f) => [fixed(f.lambda, 3), String(f.fold), fixed(f.heldOutAccuracy), fixed(f.zeroShotAccuracy)])
      return `<h3>${escape(run.name)}</h3><p>Held-out accuracy <b>${fixed(r.meanHeldOut)}</b> against zero-shot ${fixed(r.meanZeroShot)}${
        typeof r.ceiling === 'number' ? `, noise ceiling ${fixed(r.ceiling)}` : ''
      } (objective ${escape(r.objective)}, ${escape(r.p)} → ${escape(r.q)} dimensions).</p>${figure ? `<figure>${figure}<figcaption>Training loss per epoch, each λ and fold.</figcaption></figure>` : ''}${table(['λ', 'fold', 'held-out accuracy', 'zero-shot accuracy'], folds)}${settings(run)}`
    })
    .join('')}</section>`
}

function gwSection(runs: RunInfo[]): string {
  const gws = runs.filter((r) => r.kind === 'gw')
  if (!gws.length) return ''
  return `<section><h2>Gromov-Wasserstein alignment</h2>${gws
    .map((run) => {
      const r = result(run)
      const trials = ((r.trials as R[] | undefined) ?? []).filter((t) => typeof t.loss === 'number' && Number.isFinite(t.loss))
      const figure = trials.length
        ? svgChart(
            {
              grid: { left: 64, right: 24, top: 24, bottom: 48 },
              xAxis: { type: 'log', name: 'ε', nameLocation: 'middle', nameGap: 28 },
              yAxis: { type: 'value', name: 'GW loss', scale: true },
              visualMap: { dimension: 2, min: 0, max: 1, orient: 'vertical', right: 0, top: 'middle', itemHeight: 100, text: ['top-1 1', '0'], calculable: false },
              series: [{ type: 'scatter', symbolSize: 10, data: trials.map((t) => [Number(t.epsilon), Number(t.loss), Number(t.top1)]) }],
            },
            720,
            300,
          )
        : ''
      const matching = r.matching as R | undefined
      const knn = r.knnMatching as R | undefined
      const rows = [
        ['plan rows', fixed(matching?.top1, 3), fixed(matching?.top5, 3), fixed(matching?.top10, 3)],
        ['k-NN after Procrustes', fixed(knn?.top1, 3), fixed(knn?.top5, 3), fixed(knn?.top10, 3)],
      ]
      return `<h3>${escape(run.name)}</h3><p>Best ε ${typeof r.epsilon === 'number' ? r.epsilon.toPrecision(3) : '—'}, GW loss ${fixed(r.loss, 5)}${
        r.categoryMatching ? `, category matching ${fixed((r.categoryMatching as R).rate, 3)}` : ''
      }.</p>${figure ? `<figure>${figure}<figcaption>Trials of the ε search, coloured by top-1 matching; ε chosen by the lowest loss, without labels.</figcaption></figure>` : ''}${table(['matching', 'top-1', 'top-5', 'top-10'], rows)}${settings(run)}`
    })
    .join('')}</section>`
}

function mapSection(runs: RunInfo[], labels: ReportInput['labels']): string {
  const maps = runs.filter((r) => r.kind === 'map')
  if (!maps.length) return ''
  const METHOD: R = { pca: 'PCA', mds: 'classical MDS', tsne: 't-SNE', umap: 'UMAP' }
  const figures = maps.map((run) => {
    const r = result(run)
    const coordinates = r.coordinates as number[]
    const n = coordinates.length / 2
    const named = labels.get(n)
    const groups = named?.categories.length ? named.categories.map((_, c) => c) : [-1]
    const series = groups.map((c) => ({
      type: 'scatter',
      name: c < 0 ? 'objects' : named!.categories[c],
      symbolSize: n > 2000 ? 3 : 7,
      data: Array.from({ length: n }, (_, i) => i).filter((i) => c < 0 || named!.category[i] === c).map((i) => [coordinates[2 * i], coordinates[2 * i + 1]]),
    }))
    const svg = svgChart({ legend: { bottom: 0, left: 'center', width: 440, itemGap: 8, textStyle: { fontSize: 10 } }, grid: { left: 8, right: 8, top: 8, bottom: 64 }, xAxis: { show: false, scale: true }, yAxis: { show: false, scale: true }, series }, 460, 460)
    return `<figure class="map">${svg}<figcaption>${escape(`${String(METHOD[String(r.method)])} of ${String(r.datasetName)}`)}</figcaption></figure>`
  })
  return `<section><h2>Representation maps</h2><div class="maps">${figures.join('')}</div>${maps.map(settings).join('')}</section>`
}

function compareSection(runs: RunInfo[]): string {
  const comparisons = runs.filter((r) => r.kind === 'compare')
  if (!comparisons.length) return ''
  return `<section><h2>Model comparison</h2>${comparisons
    .map((run) => {
      const r = result(run)
      const names = r.names as string[]
      const order = r.order as number[]
      const rsa = r.rsa as number[]
      const m = names.length
      const labels = order.map((i) => names[i]!)
      const data = order.flatMap((i, row) => order.map((j, col) => [col, row, rsa[i * m + j]]))
      const svg = svgChart(
        {
          grid: { left: 210, right: 16, top: 8, bottom: 120 },
          xAxis: { type: 'category', data: labels, axisLabel: { rotate: 30, fontSize: 10, width: 150, overflow: 'truncate' } },
          yAxis: { type: 'category', data: labels, inverse: true, axisLabel: { fontSize: 10, width: 190, overflow: 'truncate' } },
          visualMap: { min: -1, max: 1, orient: 'horizontal', left: 'center', bottom: 0, itemHeight: 160, inRange: { color: ['#2563eb', '#f8fafc', '#dc2626'] } },
          series: [{ type: 'heatmap', data, label: { show: m <= 12, formatter: (p: { value: number[] }) => p.value[2]!.toFixed(2) } }],
        },
        720,
        560,
      )
      const rows = order.map((i) => [names[i]!, ...order.map((j) => fixed(rsa[i * m + j], 3))])
      return `<figure>${svg}<figcaption>${escape(String(r.method))} correlation between the ${escape(String(r.rdm))} RDMs of ${m} representations over ${escape(r.n)} objects, ordered by average-linkage clustering.</figcaption></figure>${table(['', ...labels], rows)}${settings(run)}`
    })
    .join('')}</section>`
}

function alignetSection(runs: RunInfo[]): string {
  const evaluations = runs.filter((r) => r.kind === 'alignetEvaluate' && Array.isArray(result(r).rows))
  if (!evaluations.length) return ''
  return `<section><h2>AligNet: base vs aligned</h2>${evaluations
    .map((run) => {
      const r = result(run)
      const rows = (r.rows as BeforeAfterRow[]).map((row) => {
        const cells = beforeAfterCells(row)
        return [row.measure, cells.base, cells.aligned, cells.change, row.test ? `${cells.p} (${row.test.name})` : cells.p, cells.ceiling]
      })
      const caption = `${String(r.base)} (base) vs ${String(r.aligned)} (aligned), ${String(r.objects)} objects. Brackets: 95% intervals; ±: standard error over subjects; p: the change tested on the same triplets or subjects, two-sided.`
      return `${table(['measure', 'base', 'aligned', 'change', 'p', 'ceiling'], rows, caption)}${settings(run)}`
    })
    .join('')}</section>`
}

function attentionSection(runs: RunInfo[]): string {
  const scored = runs.filter((r) => r.kind === 'attention' && result(r).scores)
  const masks = runs.filter((r) => r.kind === 'attentionMask')
  if (!scored.length && !masks.length) return ''
  const keys = ['spearman', 'pearson', 'auc', 'nss'] as const
  const maps = scored.map((run) => {
    const r = result(run)
    const scores = r.scores as { mean: R; baseline: R; aboveBaseline?: R; humanMaps: string }
    const row = (label: string, values: R, text = (v: unknown) => fixed(v, 3)) => [label, ...keys.map((k) => (values[k] === null ? '—' : text(values[k])))]
    const rows = [row('mean', scores.mean), row('baseline (the other images\' human maps)', scores.baseline), ...(scores.aboveBaseline ? [row('p, above the baseline (signed-rank over images, one-sided)', scores.aboveBaseline, (v) => pValueText(Number(v)))] : [])]
    return `${table(['', 'Spearman', 'Pearson', 'AUC', 'NSS'], rows, `${String(r.method)} maps of ${String(r.model)} on ${String(r.images)} images against ${scores.humanMaps}`)}${settings(run)}`
  })
  const percent = (v: unknown) => `${(100 * Number(v)).toFixed(1)}%`
  const maskRows = masks.map((run) => {
    const r = result(run)
    const [salient, random] = [r.salient as R, r.random as R]
    return [String(run.name), percent(r.keep), String(r.fill), percent(salient.agreement), percent(random.agreement), fixed(salient.similarity, 3), fixed(random.similarity, 3)]
  })
  const masking = maskRows.length ? table(['run', 'kept', 'fill', 'same class, by the maps', 'same class, random masks', 'embedding similarity, by the maps', 'random masks'], maskRows, 'Masking: the most salient pixels kept, against random masks keeping as many') : ''
  return `<section><h2>Passive attention</h2>${maps.join('')}${masking}</section>`
}

const STYLE = `body{font:15px/1.5 system-ui,sans-serif;color:#1d2330;max-width:1000px;margin:2rem auto;padding:0 1rem}
h1{margin-bottom:.2rem}h2{border-bottom:1px solid #dde1e7;padding-bottom:.3rem;margin-top:2.2rem}
table{border-collapse:collapse;margin:.6rem 0;font-size:.9em}th,td{border-bottom:1px solid #dde1e7;padding:.3rem .6rem;text-align:left}
caption{text-align:left;font-weight:600;padding:.3rem 0}figure{margin:1rem 0}figcaption,.note,.meta{color:#5f6b7c;font-size:.9em}
pre{background:#f6f7f9;padding:.6rem;overflow:auto;font-size:.85em}.maps{display:flex;flex-wrap:wrap;gap:1rem}.map{width:460px}
details{margin:.3rem 0}@media print{details{display:none}}`

/** The report as one HTML file. */
export function htmlReport(input: ReportInput): string {
  const { project, app, runs } = input
  const chronological = [...runs].sort((a, b) => a.id - b.id)
  const datasets = table(
    ['#', 'kind', 'name', 'shape', 'details'],
    input.datasets.map((d) => [String(d.id), d.kind, d.name, d.shape.join(' × '), datasetDetails(d).join(' · ')]),
  )
  const body = [
    accuracySection(chronological),
    categorySection(chronological),
    rsaSection(chronological),
    probeSection(chronological, input.metrics),
    gwSection(chronological),
    mapSection(chronological, input.labels),
    compareSection(chronological),
    alignetSection(chronological),
    attentionSection(chronological),
  ].join('')
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${escape(project.name)} · HumanAlign report</title><style>${STYLE}</style></head>
<body><header><h1>${escape(project.name)}</h1>
<p class="meta">HumanAlign report, ${escape(input.generatedAt)}. Project created ${escape(project.createdAt)}. HumanAlign ${escape(app.version)}, Node.js ${escape(app.node)}${app.electron ? `, Electron ${escape(app.electron)}` : ''}, ${escape(app.platform)}.</p></header>
<section><h2>Data</h2>${datasets}</section>
${body || '<p>This project has no results yet.</p>'}
<section><h2>All runs</h2>${table(['#', 'kind', 'name', 'result', 'when'], chronological.map((r) => [String(r.id), r.kind, r.name, runHeadline(r.kind, r.result), r.createdAt]))}</section>
</body></html>
`
}
