import Database from 'better-sqlite3'
import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { hostname } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { AppError } from '../../src-main/api/errors'
import { journalModeFor, openDatabase } from '../../src-main/store/database'
import { LOCK_FILE } from '../../src-main/store/lock'
import { migrations, SCHEMA_VERSION } from '../../src-main/store/migrations'
import { Project, PROJECT_DB } from '../../src-main/store/project'
import { useTmp } from '../helpers/tmp'

const tmp = useTmp()
const open: Project[] = []
afterEach(() => {
  for (const p of open.splice(0)) p.close()
})
const keep = (p: Project): Project => (open.push(p), p)
const sha = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex')

function tables(db: Database.Database): string[] {
  return (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map(
    (r) => r.name,
  )
}

describe('Project.create', () => {
  it('makes a folder with project.sqlite (WAL, foreign keys, every table) and artifacts/', () => {
    const dir = join(tmp(), 'study')
    const p = keep(Project.create(dir, 'My study', '1.2.3'))
    expect(existsSync(join(dir, 'artifacts'))).toBe(true)
    expect(p.db.pragma('journal_mode', { simple: true })).toBe('wal')
    expect(p.db.pragma('foreign_keys', { simple: true })).toBe(1)
    expect(p.db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION)
    expect(tables(p.db)).toEqual(
      ['artifacts', 'datasets', 'feature_sets', 'job_metrics', 'jobs', 'meta', 'models', 'run_artifacts', 'runs'].sort(),
    )
    const info = p.info()
    expect(info).toMatchObject({ path: dir, name: 'My study', appVersion: '1.2.3', schemaVersion: SCHEMA_VERSION, backupPath: null })
    expect(Object.values(info.counts).every((n) => n === 0)).toBe(true)
  })

  it('keeps a rollback journal instead of WAL on network file systems (a cluster\'s shared storage)', () => {
    expect(journalModeFor('linux', 0xef53)).toBe('WAL') // ext4
    expect(journalModeFor('linux', 0x58465342)).toBe('WAL') // XFS
    for (const network of [0x6969, 0xff534d42, 0x0bd00bd0, 0x47504653, 0x19830326, 0x65735546]) expect(journalModeFor('linux', network)).toBe('DELETE')
    // Other systems number their file systems otherwise: WAL, as before.
    expect(journalModeFor('darwin', 0x6969)).toBe('WAL')
  })

  it('enforces foreign keys', () => {
    const p = keep(Project.create(join(tmp(), 'fk'), undefined, '1'))
    expect(() =>
      p.db
        .prepare("INSERT INTO feature_sets (name, artifact, n, p, created_at) VALUES ('x', ?, 1, 1, 'now')")
        .run('0'.repeat(64)),
    ).toThrow(/FOREIGN KEY constraint failed/)
  })

  it('names the project after its folder when no name is given', () => {
    expect(keep(Project.create(join(tmp(), 'things-probe'), undefined, '1')).name).toBe('things-probe')
  })

  it('refuses a non-empty folder and an existing project, leaving both as they were', () => {
    const dir = tmp()
    writeFileSync(join(dir, 'notes.txt'), 'mine')
    expect(() => Project.create(dir, 'x', '1')).toThrow(/is not empty/)
    expect(readdirSync(dir)).toEqual(['notes.txt'])
    const existing = join(tmp(), 'p')
    Project.create(existing, 'x', '1').close()
    const before = sha(join(existing, PROJECT_DB))
    expect(() => Project.create(existing, 'y', '1')).toThrow(/already a HumanAlign project. Open it instead/)
    expect(sha(join(existing, PROJECT_DB))).toBe(before)
  })

  it('refuses a path below a file with a message, not a crash', () => {
    const file = join(tmp(), 'file.txt')
    writeFileSync(file, '')
    expect(() => Project.create(join(file, 'sub'), 'x', '1')).toThrow(/Cannot create the folder .*Choose another location/)
  })
})

describe('Project.open', () => {
  it('reopens a project with its name after rename', () => {
    const dir = join(tmp(), 'p')
    const p = Project.create(dir, 'before', '1')
    expect(p.rename('  after  ').name).toBe('after')
    p.close()
    expect(keep(Project.open(dir)).info().name).toBe('after')
  })

  it('accepts the project.sqlite file itself', () => {
    const dir = join(tmp(), 'p')
    Project.create(dir, 'x', '1').close()
    expect(keep(Project.open(join(dir, PROJECT_DB))).dir).toBe(dir)
  })

  it('explains a folder that is not a project, a missing path and a file', () => {
    const dir = tmp()
    expect(() => Project.open(dir)).toThrow(`${dir} is not a HumanAlign project (it has no project.sqlite)`)
    expect(() => Project.open(join(dir, 'missing'))).toThrow(/does not exist/)
    writeFileSync(join(dir, 'a.txt'), 'x')
    expect(() => Project.open(join(dir, 'a.txt'))).toThrow(/is a file. Choose the project folder/)
  })

  it('reports a corrupted project.sqlite without changing it', () => {
    const dir = join(tmp(), 'p')
    Project.create(dir, 'x', '1').close()
    const file = join(dir, PROJECT_DB)
    const bytes = readFileSync(file)
    bytes.fill(0x5a, 0, 100) // destroy the SQLite header
    writeFileSync(file, bytes)
    const before = sha(file)
    expect(() => Project.open(dir)).toThrow(/project.sqlite is damaged \(file is not a database\)\. Restore project.sqlite/)
    expect(sha(file)).toBe(before)
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false)
  })

  it('refuses a SQLite file that is not a HumanAlign project', () => {
    const dir = tmp()
    const other = new Database(join(dir, PROJECT_DB))
    other.exec('CREATE TABLE songs (title TEXT)')
    other.close()
    expect(() => Project.open(dir)).toThrow(/is a SQLite database but not a HumanAlign project/)
    const db = new Database(join(dir, PROJECT_DB), { readonly: true })
    expect(tables(db)).toEqual(['songs'])
    db.close()
  })

  it('refuses a project from a newer HumanAlign and leaves it untouched', () => {
    const dir = join(tmp(), 'p')
    const p = Project.create(dir, 'x', '1')
    p.db.pragma(`user_version = ${SCHEMA_VERSION + 3}`)
    p.close()
    const before = sha(join(dir, PROJECT_DB))
    expect(() => Project.open(dir)).toThrow(
      `was written by a newer HumanAlign (project schema v${SCHEMA_VERSION + 3}; this version reads up to v${SCHEMA_VERSION}). Update HumanAlign`,
    )
    expect(sha(join(dir, PROJECT_DB))).toBe(before)
  })

  it('migrates an older project after keeping a copy of it', () => {
    const dir = tmp()
    // A project as version 1 of the schema wrote it.
    const { db } = openDatabase(join(dir, PROJECT_DB), { create: true, migrations: migrations.slice(0, 1) })
    db.prepare("INSERT INTO meta (key, value) VALUES ('format', 'humanalign-project'), ('name', 'old one')").run()
    db.prepare("INSERT INTO runs (kind, name, created_at) VALUES ('rsa', 'kept', 'then')").run()
    db.close()

    const p = keep(Project.open(dir))
    expect(p.db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION)
    expect(tables(p.db)).toContain('jobs')
    expect(tables(p.db)).not.toContain('metrics')
    expect((p.db.prepare('SELECT name FROM pragma_table_info(?)').all('jobs') as { name: string }[]).map((c) => c.name)).toContain('checkpoint_at')
    expect(p.info().counts.runs).toBe(1)
    expect(p.backupPath).toMatch(/project\.sqlite\.backup-v1-/)
    const backup = new Database(p.backupPath!, { readonly: true })
    expect(backup.pragma('user_version', { simple: true })).toBe(1)
    expect(tables(backup)).not.toContain('jobs')
    expect(tables(backup)).toContain('metrics')
    expect(backup.prepare('SELECT name FROM runs').get()).toEqual({ name: 'kept' })
    backup.close()
  })
})

describe('project lock', () => {
  it('refuses a second open in the same process', () => {
    const dir = join(tmp(), 'p')
    keep(Project.create(dir, 'x', '1'))
    expect(() => Project.open(dir)).toThrow(/already open in this window/)
  })

  it('refuses a project held by another running HumanAlign, naming the process', async () => {
    const dir = join(tmp(), 'p')
    Project.create(dir, 'x', '1').close()
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 20000)'])
    try {
      writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: other.pid, host: hostname(), since: 'earlier' }))
      let error: unknown
      try {
        Project.open(dir)
      } catch (err) {
        error = err
      }
      expect(error).toBeInstanceOf(AppError)
      expect((error as AppError).code).toBe('conflict')
      expect((error as AppError).message).toContain(`is open in another HumanAlign (process ${other.pid}, since earlier)`)
    } finally {
      other.kill()
      await new Promise((resolve) => other.once('exit', resolve))
    }
  })

  it('takes over a lock whose process is gone, and releases it on close', async () => {
    const dir = join(tmp(), 'p')
    Project.create(dir, 'x', '1').close()
    const gone = spawn(process.execPath, ['-e', '0'])
    await new Promise((resolve) => gone.once('exit', resolve))
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: gone.pid, host: hostname(), since: 'crash' }))
    const p = Project.open(dir)
    expect(JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')).pid).toBe(process.pid)
    p.close()
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false)
  })
})

describe('Project.describe', () => {
  it('reads a locked project without writing to it', () => {
    const dir = join(tmp(), 'p')
    const p = keep(Project.create(dir, 'busy', '1'))
    p.db.prepare("INSERT INTO models (name, source, created_at) VALUES ('m', 'disk', 'now')").run()
    const info = Project.describe(dir)
    expect(info.name).toBe('busy')
    expect(info.counts.models).toBe(1)
  })

  it('checks a folder is a project', () => {
    const dir = tmp()
    mkdirSync(join(dir, 'empty'))
    expect(() => Project.describe(join(dir, 'empty'))).toThrow(/is not a HumanAlign project/)
  })
})
