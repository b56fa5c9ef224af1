import Database from 'better-sqlite3'
import { existsSync, statfsSync } from 'node:fs'
import { dirname } from 'node:path'
import { AppError } from '../api/errors'
import { migrations, type Migration } from './migrations'

export type Db = Database.Database

export interface OpenOptions {
  /** Create the file if missing (a new project). */
  create?: boolean
  readonly?: boolean
  /** The migrations to bring the file up to; tests pass a prefix to build older projects. */
  migrations?: readonly Migration[]
  /** Where to keep a copy before migrating an older file. */
  backupPath?: (fromVersion: number) => string
}

export interface OpenedDatabase {
  db: Db
  /** The copy made before migrating, if a migration ran. */
  backupPath: string | null
}

// Electron ships its own Node ABI; the launcher builds better-sqlite3 for it and says where.
const nativeBinding = process.env.HUMANALIGN_SQLITE_BINDING || undefined

function damaged(file: string, detail: string): AppError {
  return new AppError(
    'user',
    `${file} is damaged (${detail}). Restore project.sqlite from a backup copy (project.sqlite.backup-*) ` +
      'or from another copy of the project folder.',
  )
}

function isSqliteFormatError(err: unknown): err is Error & { code: string } {
  const code = (err as { code?: unknown })?.code
  return typeof code === 'string' && ['SQLITE_NOTADB', 'SQLITE_CORRUPT', 'SQLITE_CANTOPEN'].includes(code)
}

/**
 * Network and FUSE file systems (statfs(2) magic numbers, Linux), where SQLite's write-ahead log is unsafe: its index
 * lives in shared memory that a remote or user-space mount does not share faithfully. A project there — on a
 * cluster's shared storage — keeps a rollback journal instead.
 */
const NETWORK_FILE_SYSTEMS = new Map([
  [0x6969, 'NFS'],
  [0x517b, 'SMB'],
  [0xfe534d42, 'SMB2'],
  [0xff534d42, 'CIFS'],
  [0x0bd00bd0, 'Lustre'],
  [0x47504653, 'GPFS'],
  [0x19830326, 'BeeGFS'],
  [0x00c36400, 'CephFS'],
  [0x5346414f, 'AFS'],
  [0x01021997, '9P'],
  [0x65735546, 'FUSE'],
])

/** The journal for a database on a file system of this type: WAL on local disks, a rollback journal on shared ones. */
export function journalModeFor(platform: NodeJS.Platform, fileSystemType: number): 'WAL' | 'DELETE' {
  return platform === 'linux' && NETWORK_FILE_SYSTEMS.has(fileSystemType) ? 'DELETE' : 'WAL'
}

/**
 * Opens a project database with WAL (a rollback journal on network file systems) and foreign keys, checks its integrity and schema version, and migrates
 * an older file after copying it. Refuses files from a newer HumanAlign without touching them.
 */
export function openDatabase(file: string, options: OpenOptions = {}): OpenedDatabase {
  const steps = options.migrations ?? migrations
  const latest = steps.length ? steps[steps.length - 1]!.version : 0
  if (!options.create && !existsSync(file)) throw new AppError('not_found', `${file} does not exist.`)
  let db: Db
  try {
    db = new Database(file, { readonly: options.readonly ?? false, fileMustExist: !options.create, nativeBinding })
  } catch (err) {
    if (isSqliteFormatError(err)) throw damaged(file, err.message)
    throw err
  }
  try {
    const check = db.pragma('quick_check', { simple: true })
    if (check !== 'ok') throw damaged(file, `integrity check: ${String(check)}`)
    if (!options.readonly) db.pragma(`journal_mode = ${journalModeFor(process.platform, statfsSync(dirname(file)).type)}`)
    db.pragma('foreign_keys = ON')
    db.pragma('busy_timeout = 5000')
    const version = db.pragma('user_version', { simple: true }) as number
    if (version > latest) {
      throw new AppError(
        'user',
        `${file} was written by a newer HumanAlign (project schema v${version}; this version reads up to ` +
          `v${latest}). Update HumanAlign to open it; the project was not changed.`,
      )
    }
    if (version === 0 && (!options.create || hasTables(db))) {
      throw new AppError(
        'user',
        `${file} is a SQLite database but not a HumanAlign project. Choose a project folder, or create a new project.`,
      )
    }
    let backupPath: string | null = null
    const pending = steps.filter((m) => m.version > version)
    if (pending.length && !options.readonly) {
      if (version > 0 && options.backupPath) {
        backupPath = options.backupPath(version)
        db.prepare('VACUUM INTO ?').run(backupPath)
      }
      db.transaction(() => {
        for (const m of pending) {
          db.exec(m.sql)
          db.pragma(`user_version = ${m.version}`)
        }
      })()
    }
    return { db, backupPath }
  } catch (err) {
    db.close()
    if (isSqliteFormatError(err)) throw damaged(file, err.message)
    throw err
  }
}

export function schemaVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number
}

function hasTables(db: Db): boolean {
  return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' LIMIT 1").get() !== undefined
}

export function tableExists(db: Db, table: string): boolean {
  return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(table) !== undefined
}
