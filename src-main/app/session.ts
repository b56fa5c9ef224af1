import { resolve } from 'node:path'
import type { JobInfo, JobSpec, MetricSeries, ProjectInfo } from '../api/contract'
import { AppError } from '../api/errors'
import type { EventBus } from '../api/events'
import { JobRunner } from '../jobs/runner'
import { configDir, defaultProjectsDir } from '../store/paths'
import { Project } from '../store/project'
import { RecentProjects } from '../store/recent'

export interface SessionOptions {
  appVersion: string
  workerPath: string
  events: EventBus
}

/** What one window, browser server or CLI invocation has open: at most one project and its job runner. */
export class Session {
  readonly recent = RecentProjects.inConfigDir(configDir())
  private project: Project | null = null
  private jobs: JobRunner | null = null

  constructor(private readonly options: SessionOptions) {}

  projectsDir(): string {
    return defaultProjectsDir()
  }

  /** A project's summary, read without opening it for writing. */
  describe(path: string): ProjectInfo {
    return Project.describe(path)
  }

  current(): ProjectInfo | null {
    return this.project?.info() ?? null
  }

  async create(path: string, name: string | undefined): Promise<ProjectInfo> {
    await this.close()
    return this.attach(Project.create(path, name, this.options.appVersion))
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
    this.project.close()
    this.project = null
    this.jobs = null
    this.options.events.emit({ type: 'project.changed', project: null })
  }

  listJobs(): JobInfo[] {
    return this.jobs?.list() ?? []
  }

  jobMetrics(id: number): MetricSeries[] {
    this.requireProject()
    return this.jobs!.metrics(id)
  }

  startJob(spec: JobSpec): JobInfo {
    this.requireProject()
    return this.jobs!.start(spec)
  }

  cancelJob(id: number): JobInfo {
    this.requireProject()
    return this.jobs!.cancel(id)
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
    this.jobs = new JobRunner(project, this.options.workerPath, this.options.events)
    const info = project.info()
    this.remember(info)
    this.options.events.emit({ type: 'project.changed', project: info })
    return info
  }
}
