// Gathers what the HTML report shows from a project: its datasets, runs, the metric streams of the jobs that
// made the runs, and the names and categories of the objects its maps draw.
import type { AppInfo } from '../api/contract'
import type { Db } from '../store/database'
import { listDatasets } from '../store/datasets'
import { objectLabels } from '../store/objectLabels'
import type { Project } from '../store/project'
import { listRuns } from '../store/runs'
import { htmlReport, type ReportInput } from './htmlReport'

function runMetrics(db: Db): ReportInput['metrics'] {
  const jobs = db.prepare("SELECT id, result FROM jobs WHERE state = 'done' AND result IS NOT NULL").all() as { id: number; result: string }[]
  const metrics: ReportInput['metrics'] = new Map()
  const select = db.prepare('SELECT name, step, value FROM job_metrics WHERE job_id = ? ORDER BY name, step')
  for (const job of jobs) {
    const run = (JSON.parse(job.result) as { run?: number }).run
    if (typeof run !== 'number') continue
    const byName = new Map<string, [number, number][]>()
    for (const row of select.all(job.id) as { name: string; step: number; value: number }[]) {
      if (!byName.has(row.name)) byName.set(row.name, [])
      byName.get(row.name)!.push([row.step, row.value])
    }
    if (byName.size) metrics.set(run, [...byName].map(([name, points]) => ({ name, points })))
  }
  return metrics
}

/** The project's report as one HTML file. */
export function projectReport(project: Project, app: Pick<AppInfo, 'version' | 'node' | 'electron' | 'platform'>): string {
  const { db, dir } = project
  const info = project.info()
  const datasets = listDatasets(db)
  const runs = listRuns(db)
  const labels: ReportInput['labels'] = new Map()
  for (const run of runs.filter((r) => r.kind === 'map')) {
    const n = ((run.result as { coordinates?: number[] } | null)?.coordinates?.length ?? 0) / 2
    if (labels.has(n)) continue
    const concepts = datasets.find((d) => d.kind === 'concepts' && Number(d.meta.n) === n)
    if (concepts) labels.set(n, objectLabels(db, dir, concepts.id))
  }
  return htmlReport({
    project: { name: info.name, path: info.path, createdAt: info.createdAt },
    app,
    generatedAt: new Date().toISOString(),
    datasets,
    runs,
    metrics: runMetrics(db),
    labels,
  })
}
