import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs'
import { basename, dirname, join, resolve } from 'node:path'
import type { DatasetInfo, ProjectInfo, RunInfo, TableCounts } from '../api/contract'
import { AppError } from '../api/errors'
import { ARTIFACTS_DIR } from './artifacts'
import { openDatabase, schemaVersion, tableExists, type Db } from './database'
import { listDatasets } from './datasets'
import { listRuns } from './runs'
import { relocateProjectModels } from './models'
import { acquireLock, type ProjectLock } from './lock'

export const PROJECT_DB = 'project.sqlite'
const FORMAT = 'humanalign-project'

const COUNTED_TABLES: Record<keyof TableCounts, string> = {
  datasets: 'datasets',
  models: 'models',
  featureSets: 'feature_sets',
  runs: 'runs',
  artifacts: 'artifacts',
  jobs: 'jobs',
}

function readMeta(db: Db): Record<string, string> {
  if (!tableExists(db, 'meta')) return {}
  const rows = db.prepare('SELECT key, value FROM meta').all() as { key: string; value: string }[]
  return Object.fromEntries(rows.map((r) => [r.key, r.value]))
}

function summarize(db: Db, dir: string, backupPath: string | null): ProjectInfo {
  const meta = readMeta(db)
  const counts = Object.fromEntries(
    Object.entries(COUNTED_TABLES).map(([key, table]) => [
      key,
      tableExists(db, table) ? (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n : 0,
    ]),
  ) as TableCounts
  const bytes = tableExists(db, 'artifacts')
    ? (db.prepare('SELECT coalesce(sum(bytes), 0) AS b FROM artifacts').get() as { b: number }).b
    : 0
  return {
    path: dir,
    name: meta.name ?? basename(dir),
    createdAt: meta.created_at ?? '',
    schemaVersion: schemaVersion(db),
    appVersion: meta.app_version ?? '',
    counts,
    artifactBytes: bytes,
    backupPath,
  }
}

/** Resolves what the user pointed at to a project folder, or says why it is not one. */
function projectDirOf(path: string): string {
  const abs = resolve(path)
  if (!existsSync(abs)) throw new AppError('not_found', `${abs} does not exist. Check the path, or create a project there.`)
  if (statSync(abs).isFile()) {
    if (basename(abs) === PROJECT_DB) return dirname(abs)
    throw new AppError('user', `${abs} is a file. Choose the project folder (the one that holds ${PROJECT_DB}).`)
  }
  if (!existsSync(join(abs, PROJECT_DB))) {
    throw new AppError(
      'user',
      `${abs} is not a HumanAlign project (it has no ${PROJECT_DB}). Choose the folder that holds ${PROJECT_DB}, ` +
        'or create a new project.',
    )
  }
  return abs
}

function checkFormat(db: Db, dir: string): void {
  if (readMeta(db).format !== FORMAT) {
    throw new AppError('user', `${join(dir, PROJECT_DB)} is a SQLite database but not a HumanAlign project.`)
  }
}

/** Reads a project folder's database without locking, migrating or writing anything. */
function readOnly<T>(path: string, read: (db: Db, dir: string) => T): T {
  const dir = projectDirOf(path)
  const { db } = openDatabase(join(dir, PROJECT_DB), { readonly: true })
  try {
    checkFormat(db, dir)
    return read(db, dir)
  } finally {
    db.close()
  }
}

function backupName(dir: string): (fromVersion: number) => string {
  return (fromVersion) => join(dir, `${PROJECT_DB}.backup-v${fromVersion}-${new Date().toISOString().replace(/[:.]/g, '-')}`)
}

/** An open project: its database and folder, locked against other HumanAlign processes until closed. */
export class Project {
  private closed = false

  private constructor(
    readonly dir: string,
    readonly db: Db,
    private readonly lock: ProjectLock,
    readonly backupPath: string | null,
  ) {}

  static create(path: string, name: string | undefined, appVersion: string): Project {
    const dir = resolve(path)
    const existed = existsSync(dir)
    if (existed) {
      if (!statSync(dir).isDirectory()) throw new AppError('user', `${dir} is a file. Choose a folder path for the new project.`)
      if (existsSync(join(dir, PROJECT_DB))) {
        throw new AppError('conflict', `${dir} is already a HumanAlign project. Open it instead.`)
      }
      if (readdirSync(dir).length > 0) {
        throw new AppError('user', `${dir} is not empty. Choose a new folder name for the project.`)
      }
    }
    try {
      mkdirSync(dir, { recursive: true })
    } catch (err) {
      throw new AppError('user', `Cannot create the folder ${dir} (${(err as Error).message}). Choose another location.`)
    }
    let lock: ProjectLock | undefined
    let db: Db | undefined
    try {
      lock = acquireLock(dir)
      db = openDatabase(join(dir, PROJECT_DB), { create: true }).db
      const insert = db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)')
      const opened = db
      db.transaction(() => {
        insert.run('format', FORMAT)
        insert.run('name', name?.trim() || basename(dir))
        insert.run('created_at', new Date().toISOString())
        insert.run('app_version', appVersion)
      })()
      mkdirSync(join(dir, ARTIFACTS_DIR), { recursive: true })
      return new Project(dir, opened, lock, null)
    } catch (err) {
      // Leave nothing half-made behind.
      db?.close()
      lock?.release()
      if (existed) for (const entry of readdirSync(dir)) rmSync(join(dir, entry), { recursive: true, force: true })
      else rmSync(dir, { recursive: true, force: true })
      throw err
    }
  }

  static open(path: string): Project {
    const dir = projectDirOf(path)
    const lock = acquireLock(dir)
    try {
      const { db, backupPath } = openDatabase(join(dir, PROJECT_DB), { backupPath: backupName(dir) })
      try {
        checkFormat(db, dir)
        relocateProjectModels(db, dir)
      } catch (err) {
        db.close()
        throw err
      }
      mkdirSync(join(dir, ARTIFACTS_DIR), { recursive: true })
      return new Project(dir, db, lock, backupPath)
    } catch (err) {
      lock.release()
      throw err
    }
  }

  /** A project's summary, read without locking, migrating or writing anything. */
  static describe(path: string): ProjectInfo {
    return readOnly(path, (db, dir) => summarize(db, dir, null))
  }

  /** A project's datasets and runs, read as `describe` reads its summary. */
  static contents(path: string): { datasets: DatasetInfo[]; runs: RunInfo[] } {
    return readOnly(path, (db) => ({ datasets: listDatasets(db), runs: listRuns(db) }))
  }

  get name(): string {
    return readMeta(this.db).name ?? basename(this.dir)
  }

  info(): ProjectInfo {
    return summarize(this.db, this.dir, this.backupPath)
  }

  rename(name: string): ProjectInfo {
    this.db.prepare("UPDATE meta SET value = ? WHERE key = 'name'").run(name.trim())
    return this.info()
  }

  close(): void {
    if (this.closed) return
    this.closed = true
    this.db.close()
    this.lock.release()
  }
}
