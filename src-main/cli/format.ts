import type { DatasetInfo, DoctorReport, FileSummary, ProjectInfo, RunInfo } from '../api/contract'
import { datasetDetails } from '../api/datasetDetails'
import { runHeadline } from '../api/runHeadline'
import type { BenchReport } from '../bench/harness'
import { countOf, formatBytes, formatName, imageFolderText } from '../api/format'

/** A dataset per entry: its id (what --objects-from takes), kind, shape and name, then its details in words. */
function formatDatasets(datasets: DatasetInfo[]): string[] {
  if (!datasets.length) return []
  const width = String(Math.max(...datasets.map((d) => d.id))).length
  const indent = ' '.repeat(width + 3)
  return [
    '',
    'Datasets (id, kind, shape, name)',
    ...datasets.flatMap((d) => [
      `  ${String(d.id).padStart(width)} ${d.kind.padEnd(10)} ${(d.shape.join(' × ') || '-').padEnd(16)} ${d.name}`,
      `${indent}${' '.repeat(28)}${datasetDetails(d).join(' · ')}`,
    ]),
  ]
}

/** A run per line: its id, kind and name, then its headline. */
function formatRuns(runs: RunInfo[]): string[] {
  if (!runs.length) return []
  const width = String(Math.max(...runs.map((r) => r.id))).length
  return ['', 'Runs (id, kind, name)', ...runs.flatMap((r) => [`  ${String(r.id).padStart(width)} ${r.kind.padEnd(16)} ${r.name}`, `${' '.repeat(width + 20)}${runHeadline(r.kind, r.result)}`])]
}

export function formatProject(info: ProjectInfo, datasets: DatasetInfo[] = [], runs: RunInfo[] = []): string {
  const c = info.counts
  return [
    `Project    ${info.name}`,
    `Folder     ${info.path}`,
    `Created    ${info.createdAt} with HumanAlign ${info.appVersion}`,
    `Schema     v${info.schemaVersion}`,
    `Contents   ${countOf(c.datasets, 'dataset')}, ${countOf(c.models, 'model')}, ${countOf(c.featureSets, 'feature set')}, ${countOf(c.runs, 'run')}, ${countOf(c.jobs, 'job')}`,
    `Artifacts  ${countOf(c.artifacts, 'file')}, ${formatBytes(info.artifactBytes)}`,
    ...(info.backupPath ? [`Migrated   the previous file was kept as ${info.backupPath}`] : []),
    ...formatDatasets(datasets),
    ...formatRuns(runs),
  ].join('\n')
}

export function formatDoctor(report: DoctorReport): string {
  const { app, machine, paths, compute } = report
  const lines = [
    `HumanAlign ${app.version} on Node ${app.node}${app.electron ? `, Electron ${app.electron}` : ''} (${app.platform} ${app.arch})`,
    `Machine    ${machine.cpus} × ${machine.cpuModel}; memory ${formatBytes(machine.totalMemoryBytes)} (${formatBytes(machine.freeMemoryBytes)} free)`,
    `Projects   ${paths.projectsDir}`,
    `Settings   ${paths.configDir}`,
    '',
    `Compute    requested ${compute.requested} (${compute.requestedFrom}); jobs run on ${compute.chosen ?? 'nothing: no backend works'}`,
  ]
  for (const b of compute.backends) {
    const detail = b.detail ? ` (${b.detail})` : ''
    lines.push(`  ${b.ok ? '✓' : '✗'} ${b.name.padEnd(10)} ${b.ok ? `available${detail}, ${Math.round(b.milliseconds)} ms to start` : b.reason}`)
  }
  if (compute.adapter) {
    const a = compute.adapter
    lines.push(`GPU        ${[a.vendor, a.architecture, a.device, a.description].filter(Boolean).join(' · ')}`)
    lines.push(`           max buffer ${formatBytes(a.limits.maxBufferSize ?? 0)}, storage binding ${formatBytes(a.limits.maxStorageBufferBindingSize ?? 0)}, workgroup ${a.limits.maxComputeInvocationsPerWorkgroup} invocations`)
  }
  if (compute.vulkanDriverFile) lines.push(`Vulkan     VK_ICD_FILENAMES=${compute.vulkanDriverFile}`)
  return lines.join('\n')
}

export function formatBench(report: BenchReport): string {
  const m = report.machine
  const lines = [`${m.cores} × ${m.cpu}, ${formatBytes(m.memoryBytes)}, ${m.platform}, Node ${m.node}; median of ${report.repeats} runs`, '']
  const rows = report.cases.map((c) => [
    c.description,
    `${c.ours.medianMs.toFixed(1)} ms`,
    `${c.reference.medianMs.toFixed(1)} ms`,
    `${c.ratio.time.toFixed(2)}×`,
    `${formatBytes(c.ours.peakRssBytes)} / ${formatBytes(c.reference.peakRssBytes)}`,
    c.agree === null ? '—' : c.agree ? 'yes' : 'NO',
  ])
  const first = report.cases[0]
  const header = ['case', `ours (${first?.ours.backend ?? '?'})`, first?.reference.implementation ?? 'reference', 'time ratio', 'peak RSS ours / ref', 'agree']
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)))
  for (const row of [header, ...rows]) lines.push(row.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd())
  return lines.join('\n')
}

export function formatInspect(summary: FileSummary): string {
  const lines = [`${summary.path}: ${formatName(summary.format)}, ${formatBytes(summary.bytes)}`]
  for (const item of summary.items) {
    const key = item.key || '(the array)'
    switch (item.kind) {
      case 'array':
        lines.push(`  ${key}  ${item.dtype} [${item.shape.join(' × ')}]${item.matlabClass ? `  MATLAB ${item.matlabClass}` : ''}`)
        for (const row of item.preview ?? []) lines.push(`      ${row.join('  ')}`)
        break
      case 'text':
        lines.push(`  ${key}  text [${item.shape.join(' × ')}] ${JSON.stringify(item.text.slice(0, 60))}`)
        break
      case 'struct':
        lines.push(`  ${key}  struct [${item.shape.join(' × ')}] with fields ${item.fields.join(', ')} (read a field with --key ${item.key}.FIELD)`)
        break
      case 'images':
        lines.push(`  ${imageFolderText(item)}`)
        break
      case 'table':
        lines.push(
          `  ${item.delimiter !== null ? 'table' : summary.format === 'json' ? (item.key ? `list "${item.key}"` : 'records') : `sheet "${item.key}"`}: ${item.rows} rows, ${item.columns.length} columns, ${item.header ? 'with' : 'no'} header` +
            (item.delimiter === null ? '' : `, ${item.delimiter === '\t' ? 'tab' : item.delimiter === ';' ? 'semicolon' : item.delimiter}-separated`),
        )
        for (const c of item.columns.slice(0, 12)) lines.push(`    ${c.name}  ${c.kind}`)
        if (item.columns.length > 12) lines.push(`    … ${item.columns.length - 12} more columns`)
        lines.push('  first rows:')
        for (const row of item.preview) lines.push(`      ${row.join('  ')}`)
        break
      default:
        lines.push(`  ${key}  ${item.kind}${item.shape ? ` [${item.shape.join(' × ')}]` : ''}${item.matlabClass ? ` (${item.matlabClass})` : item.pythonClass ? ` (${item.pythonClass})` : item.dtype ? ` dtype ${item.dtype}` : ''}`)
    }
  }
  return lines.join('\n')
}
