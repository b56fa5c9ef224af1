import { arch, cpus, freemem, totalmem } from 'node:os'
import { join, resolve } from 'node:path'
import type { AppInfo, BackendSetting, DatasetInfo, StorageFreed, ExampleName, FileSummary, MatrixView, ModelInfo, ModelSummary, RunInfo, Thumbnail, BackendSource, DoctorReport, JobInfo, JobSpec, MetricSeries, ProjectInfo, Settings, ObjectLabels, TripletBrowseRequest, TripletPage } from '../api/contract'
import { AppError } from '../api/errors'
import type { EventBus } from '../api/events'
import { isBackendName, type BackendName } from '../core/compute/backendNames'
import { JobRunner } from '../jobs/runner'
import { shellQuote, slurmScript, type SlurmResources } from '../jobs/clusterScript'
import { describeModelInWorker, inspectInWorker, probeInWorker } from '../jobs/tasks'
import { BUILTIN_MODELS } from '../models/sources'
import { addUserModel, listUserModels, removeUserModel } from '../store/models'
import { imageThumbnails } from '../store/thumbnails'
import { TripletBrowser } from './tripletBrowser'
import { projectReport } from '../report/projectReport'
import { objectLabels } from '../store/objectLabels'
import { attentionView } from '../store/attentionView'
import { configDir, defaultProjectsDir } from '../store/paths'
import { Project } from '../store/project'
import { RecentProjects } from '../store/recent'
import { SettingsFile } from '../store/settings'
import { EXAMPLES, exampleImports } from './examples'
import { listDatasets, removeDataset, renameDataset, requireDataset } from '../store/datasets'
import { datasetOrder } from '../evaluate/objectOrder'
import { insertRun, listRuns, removeRun } from '../store/runs'
import { exportAlignet } from '../store/exportAlignet'
import { exportTransform } from '../store/runTransform'
import { exportPlan } from '../store/gwPlan'
import { reclaimStorage } from '../store/reclaimStorage'
import { formatBytes } from '../api/format'
import { matrixView, planView } from '../store/matrixView'

export interface SessionOptions {
  app: Omit<AppInfo, 'projectsDir'>
  /** Folder of the built worker entries (jobWorker.js, taskWorker.js). */
  workerDir: string
  events: EventBus
  /** The bundled data (resources/examples). */
  examplesDir: string
  /** A backend named on the command line (--backend); it wins over HUMANALIGN_BACKEND and the settings. */
  backendFlag?: BackendSetting
}

/** Reads HUMANALIGN_BACKEND, refusing a name that is not a backend. */
function environmentBackend(): BackendSetting | undefined {
  const value = process.env.HUMANALIGN_BACKEND
  if (value === undefined || value === '') return undefined
  if (value !== 'auto' && !isBackendName(value)) {
    throw new AppError('user', `HUMANALIGN_BACKEND=${value} is not a backend; use auto, tensorflow, webgpu, wasm or cpu.`)
  }
  return value
}

/** What one window, browser server or CLI invocation has open: at most one project and its job runner. */
export class Session {
  readonly recent = RecentProjects.inConfigDir(configDir())
  private readonly settings = SettingsFile.inConfigDir(configDir())
  private project: Project | null = null
  private jobs: JobRunner | null = null
  /** A removal happened while jobs ran; its files are freed when they end. */
  private reclaimPending = false
  private readonly browser: TripletBrowser

  constructor(private readonly options: SessionOptions) {
    this.browser = new TripletBrowser(options.workerDir, () => this.requestedBackend())
  }

  projectsDir(): string {
    return defaultProjectsDir()
  }

  getSettings(): Settings {
    return this.settings.read()
  }

  setSettings(settings: Settings): Settings {
    return this.settings.write(settings)
  }

  /** The backend asked for, and who asked: the --backend flag, then HUMANALIGN_BACKEND, then the settings. */
  backendRequest(): { setting: BackendSetting; source: BackendSource } {
    if (this.options.backendFlag) return { setting: this.options.backendFlag, source: 'flag' }
    const fromEnvironment = environmentBackend()
    if (fromEnvironment) return { setting: fromEnvironment, source: 'environment' }
    const fromSettings = this.settings.read().backend
    return fromSettings === 'auto' ? { setting: 'auto', source: 'default' } : { setting: fromSettings, source: 'settings' }
  }

  private requestedBackend(): BackendName | null {
    const { setting } = this.backendRequest()
    return setting === 'auto' ? null : setting
  }

  async doctor(): Promise<DoctorReport> {
    const request = this.backendRequest()
    const probe = await probeInWorker(this.options.workerDir, request.setting === 'auto' ? null : request.setting)
    const processors = cpus()
    return {
      app: { version: this.options.app.version, node: this.options.app.node, electron: this.options.app.electron, platform: this.options.app.platform, arch: arch() },
      machine: { cpus: processors.length, cpuModel: processors[0]?.model.trim() ?? 'unknown', totalMemoryBytes: totalmem(), freeMemoryBytes: freemem() },
      paths: { projectsDir: defaultProjectsDir(), configDir: configDir(), openProject: this.project?.dir ?? null },
      compute: {
        requested: request.setting,
        requestedFrom: request.source,
        chosen: probe.chosen,
        backends: probe.attempts,
        adapter: probe.adapter,
        vulkanDriverFile: process.env.VK_ICD_FILENAMES ?? null,
      },
    }
  }

  /** A project's summary, read without opening it for writing. */
  describe(path: string): ProjectInfo {
    return Project.describe(path)
  }

  contentsAt(path: string): { datasets: DatasetInfo[]; runs: RunInfo[] } {
    return Project.contents(path)
  }

  current(): ProjectInfo | null {
    return this.project?.info() ?? null
  }

  async create(path: string, name: string | undefined): Promise<ProjectInfo> {
    await this.close()
    return this.attach(Project.create(path, name, this.options.app.version))
  }

  /** A new project holding an example's datasets; the imports are queued as jobs. */
  async createExample(path: string, example: ExampleName): Promise<{ project: ProjectInfo; jobs: JobInfo[] }> {
    const info = await this.create(path, EXAMPLES[example].title)
    const jobs = exampleImports(example, this.options.examplesDir).map((spec) => this.startJob(spec))
    const stages = EXAMPLES[example].stages ?? []
    if (stages.length) {
      const made = new Map(EXAMPLES[example].imports.map((spec, i) => [spec.name, jobs[i]!.id]))
      void this.runStages(info.path, made, stages).catch((err: unknown) => {
        this.options.events.emit({ type: 'log', level: 'warn', message: `The example's analyses stopped: ${(err as Error).message}` })
      })
    }
    return { project: info, jobs }
  }

  /** Queues each stage once the jobs before it have finished, while the project stays open. */
  private async runStages(path: string, jobsByKey: Map<string, number>, stages: NonNullable<(typeof EXAMPLES)[ExampleName]['stages']>): Promise<void> {
    const made = (key: string): number => {
      const id = jobsByKey.get(key)
      const result = (id === undefined ? null : this.jobs?.get(id).result) as { datasets?: number[]; run?: number } | null
      const found = result?.datasets?.[0] ?? result?.run
      if (found === undefined) throw new Error(`"${key}" made nothing to continue from`)
      return found
    }
    for (const stage of stages) {
      await this.finished([...jobsByKey.values()], path)
      for (const [key, spec] of Object.entries(stage)) jobsByKey.set(key, this.startJob(spec(made)).id)
    }
  }

  /** Resolves when every job is done; rejects when one failed or the project was closed. */
  private finished(ids: number[], path: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const status = (): 'done' | 'pending' | Error => {
        if (!this.jobs || this.project?.info().path !== path) return new Error('the project was closed')
        const jobs = ids.map((id) => this.jobs!.get(id))
        const failed = jobs.find((job) => job.state === 'failed' || job.state === 'cancelled')
        if (failed) return new Error(`job ${failed.id} (${failed.kind}) ${failed.state}${failed.error ? `: ${failed.error}` : ''}`)
        return jobs.every((job) => job.state === 'done') ? 'done' : 'pending'
      }
      const settle = (): boolean => {
        const now = status()
        if (now === 'pending') return false
        if (now === 'done') resolve()
        else reject(now)
        return true
      }
      if (settle()) return
      const unsubscribe = this.options.events.subscribe((event) => {
        if ((event.type === 'job.state' || event.type === 'project.changed') && settle()) unsubscribe()
      })
    })
  }

  async open(path: string): Promise<ProjectInfo> {
    if (this.project && this.project.dir === resolve(path)) return this.project.info()
    const project = Project.open(path)
    await this.close()
    return this.attach(project)
  }

  rename(name: string): ProjectInfo {
    const info = this.requireProject().rename(name)
    this.remember(info)
    this.options.events.emit({ type: 'project.changed', project: info })
    return info
  }

  async close(): Promise<void> {
    if (!this.project) return
    await this.jobs?.close()
    // The stopped jobs are resumable; what they may read again stays.
    if (this.reclaimPending) reclaimStorage(this.project.db, this.project.dir)
    this.reclaimPending = false
    this.project.close()
    this.project = null
    this.jobs = null
    this.options.events.emit({ type: 'project.changed', project: null })
  }

  inspect(path: string, header?: boolean): Promise<FileSummary> {
    return inspectInWorker(this.options.workerDir, path, header)
  }

  recordRun(run: { kind: string; name: string; params: unknown; result: unknown }): RunInfo {
    const project = this.requireProject()
    const id = insertRun(project.db, run)
    this.options.events.emit({ type: 'project.changed', project: project.info() })
    return listRuns(project.db).find((r) => r.id === id)!
  }

  listRuns(): RunInfo[] {
    return listRuns(this.requireProject().db)
  }

  removeRun(id: number): { run: RunInfo; freed: StorageFreed } {
    const [run, freed] = this.removing((db) => removeRun(db, id))
    return { run, freed }
  }

  exportAlignet(id: number, path: string): { path: string; count: number } {
    const project = this.requireProject()
    return exportAlignet(project.db, project.dir, id, path)
  }

  exportTransform(id: number, path: string): { path: string; p: number; q: number } {
    const project = this.requireProject()
    return exportTransform(project.db, project.dir, id, path)
  }

  exportPlan(id: number, path: string): { path: string; n: number } {
    const project = this.requireProject()
    return exportPlan(project.db, project.dir, id, path)
  }

  plan(id: number, maxSize: number): MatrixView {
    const project = this.requireProject()
    return planView(project.db, project.dir, id, maxSize)
  }

  attention(id: number, size: number) {
    const project = this.requireProject()
    return attentionView(project.db, project.dir, id, size)
  }

  matrix(id: number, subject: number | null, maxSize: number, labelsFrom: number | null): MatrixView {
    const project = this.requireProject()
    return matrixView(project.db, project.dir, id, subject, maxSize, labelsFrom)
  }

  /** The built-in models, then those added to the open project. */
  listModels(): ModelSummary[] {
    const builtin = Object.entries(BUILTIN_MODELS).map(([id, m]) => ({ id, title: m.title, source: 'builtin' as const, description: m.description }))
    return [...builtin, ...(this.project ? listUserModels(this.project.db) : [])]
  }

  describeModel(id: string): Promise<ModelInfo> {
    return describeModelInWorker(this.options.workerDir, id)
  }

  async addModel(path: string): Promise<ModelInfo> {
    const project = this.requireProject()
    const info = await describeModelInWorker(this.options.workerDir, path)
    addUserModel(project.db, info)
    this.options.events.emit({ type: 'project.changed', project: project.info() })
    return info
  }

  removeModel(id: string): { model: ModelSummary; freed: StorageFreed } {
    const [model, freed] = this.removing((db) => removeUserModel(db, id))
    return { model, freed }
  }

  thumbnails(id: number, offset: number, limit: number, size: number, indices?: number[], orderOf?: number): Promise<{ total: number; thumbnails: Thumbnail[] }> {
    const project = this.requireProject()
    return imageThumbnails(project.db, project.dir, id, { offset, limit, indices, orderOf }, size)
  }

  /** The open project's HTML report, and a file name for it. */
  report(app: Pick<AppInfo, 'version' | 'node' | 'electron' | 'platform'>): { html: string; fileName: string } {
    const project = this.requireProject()
    const slug = project.info().name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '') || 'project'
    return { html: projectReport(project, app), fileName: `${slug}-report.html` }
  }

  objects(id: number, orderOf?: number): ObjectLabels {
    const project = this.requireProject()
    return objectLabels(project.db, project.dir, id, orderOf)
  }

  lineUp(dataset: number, to: number): { order: number[] | null } {
    const { db } = this.requireProject()
    return { order: datasetOrder(requireDataset(db, to), requireDataset(db, dataset)) }
  }

  browseTriplets(request: TripletBrowseRequest): Promise<TripletPage> {
    const project = this.requireProject()
    return this.browser.page(project.db, project.dir, request)
  }

  listDatasets(): DatasetInfo[] {
    return listDatasets(this.requireProject().db)
  }

  renameDataset(id: number, name: string): DatasetInfo {
    const project = this.requireProject()
    const renamed = renameDataset(project.db, id, name)
    this.options.events.emit({ type: 'project.changed', project: project.info() })
    return renamed
  }

  removeDataset(id: number): { dataset: DatasetInfo; freed: StorageFreed } {
    const [dataset, freed] = this.removing((db) => removeDataset(db, id))
    return { dataset, freed }
  }

  /** Takes something off the open project, frees the files it alone used, and tells every view. */
  private removing<T>(remove: (db: Project['db']) => T): [T, StorageFreed] {
    const project = this.requireProject()
    const removed = remove(project.db)
    const freed = this.reclaimStorage(project)
    this.options.events.emit({ type: 'project.changed', project: project.info() })
    return [removed, freed]
  }

  /**
   * Frees the files that removed datasets and runs left unused; while jobs run (they read arrays by address and
   * store new ones) it waits, returning null, and frees them when the last job ends.
   */
  private reclaimStorage(project: Project): StorageFreed {
    if (this.jobs && !this.jobs.idle()) {
      this.reclaimPending = true
      return null
    }
    this.reclaimPending = false
    return reclaimStorage(project.db, project.dir)
  }

  private reclaimWhenIdle(): void {
    if (!this.reclaimPending || !this.project) return
    const freed = this.reclaimStorage(this.project)
    if (freed?.files) {
      this.options.events.emit({ type: 'log', level: 'info', message: `Freed ${formatBytes(freed.bytes)} that removed datasets and runs left in the project folder.` })
      this.options.events.emit({ type: 'project.changed', project: this.project.info() })
    }
  }

  listJobs(): JobInfo[] {
    return this.jobs?.list() ?? []
  }

  jobMetrics(id: number): MetricSeries[] {
    return this.requireJobs().metrics(id)
  }

  startJob(spec: JobSpec): JobInfo {
    return this.requireJobs().start(spec)
  }

  resumeJob(id: number): JobInfo {
    return this.requireJobs().resume(id)
  }

  cancelJob(id: number): JobInfo {
    return this.requireJobs().cancel(id)
  }

  discardJob(id: number): JobInfo {
    return this.requireJobs().discard(id)
  }

  jobSpec(id: number): JobSpec {
    return this.requireJobs().spec(id)
  }

  /** A Slurm batch script that runs one of the project's jobs, or a spec, on a cluster node into this project. */
  jobScript(source: { job: number } | { spec: JobSpec }, resources: SlurmResources, command?: string): { fileName: string; text: string; command: string } {
    const project = this.requireProject()
    const spec = 'job' in source ? this.requireJobs().spec(source.job) : source.spec
    const jobId = 'job' in source && source.job > 0 ? source.job : undefined
    const words = [process.execPath, join(this.options.workerDir, 'cli.js')].map(shellQuote).join(' ')
    // Electron's binary runs the command line as Node only when asked to.
    const used = command ?? (process.versions.electron ? `ELECTRON_RUN_AS_NODE=1 ${words}` : words)
    return { ...slurmScript({ spec, projectDir: project.dir, command: used, resources, jobId, appVersion: this.options.app.version }), command: used }
  }

  private requireJobs(): JobRunner {
    this.requireProject()
    return this.jobs!
  }

  private requireProject(): Project {
    if (!this.project) throw new AppError('user', 'No project is open. Open or create a project first.')
    return this.project
  }

  /** The recent list is a convenience: failing to write it must not fail opening the project. */
  private remember(info: ProjectInfo): void {
    try {
      this.recent.touch(info.path, info.name)
    } catch (err) {
      this.options.events.emit({ type: 'log', level: 'warn', message: `Could not update the recent-projects list: ${(err as Error).message}` })
    }
  }

  private attach(project: Project): ProjectInfo {
    this.project = project
    this.browser.clear()
    this.jobs = new JobRunner(project, {
      workerDir: this.options.workerDir,
      examplesDir: this.options.examplesDir,
      events: this.options.events,
      requestedBackend: () => this.requestedBackend(),
      onIdle: () => this.reclaimWhenIdle(),
    })
    const info = project.info()
    this.remember(info)
    this.options.events.emit({ type: 'project.changed', project: info })
    return info
  }
}
