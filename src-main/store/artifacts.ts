import { createHash, randomBytes } from 'node:crypto'
import { accessSync, closeSync, constants, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, writeSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { AppError } from '../api/errors'
import { encodeNpy, type NpyArray } from '../core/io/npy'
import type { Db } from './database'
import { readNpyFile } from '../files/npyFile'

export const ARTIFACTS_DIR = 'artifacts'

export interface ArtifactRow {
  sha256: string
  file: string
  dtype: string
  shape: number[]
  bytes: number
  createdAt: string
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex')
}

/**
 * Makes sure `file` can be written before the work that produces it starts: its folder is created when missing (as
 * `extract --out` does), and a folder that cannot be created or written is the user's error, said plainly.
 */
export function outputFolder(file: string): void {
  const folder = dirname(file)
  try {
    mkdirSync(folder, { recursive: true })
    accessSync(folder, constants.W_OK)
  } catch (err) {
    const reason = (err as { code?: string }).code === 'ENOTDIR' || (err as { code?: string }).code === 'EEXIST' ? 'a file stands where its folder should be' : (err as { code?: string }).code === 'EACCES' || (err as { code?: string }).code === 'EROFS' ? 'its folder is not writable' : (err as Error).message
    throw new AppError('user', `Cannot write ${file}: ${reason}. Choose another output path.`)
  }
}

/** Writes bytes so that a reader never sees a partial file: temp file in the same folder, fsync, rename. */
export function writeFileAtomic(file: string, bytes: Uint8Array): void {
  outputFolder(file)
  const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`
  const fd = openSync(tmp, 'wx')
  try {
    let written = 0
    while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written)
    fsyncSync(fd)
  } catch (err) {
    closeSync(fd)
    rmSync(tmp, { force: true })
    throw err
  }
  closeSync(fd)
  renameSync(tmp, file)
}

/**
 * Stores an array as a content-addressed .npy file (its name is the SHA-256 of its bytes) and records it.
 * Storing the same content twice writes nothing and returns the existing row.
 */
export function putArray(db: Db, projectDir: string, array: NpyArray): ArtifactRow {
  const bytes = encodeNpy(array)
  const sha256 = sha256Hex(bytes)
  const file = `${sha256}.npy`
  const dir = join(projectDir, ARTIFACTS_DIR)
  mkdirSync(dir, { recursive: true })
  const target = join(dir, file)
  if (!existsSync(target)) writeFileAtomic(target, bytes)
  const createdAt = new Date().toISOString()
  db.prepare(
    `INSERT INTO artifacts (sha256, file, dtype, shape, bytes, created_at) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (sha256) DO NOTHING`,
  ).run(sha256, file, array.dtype, JSON.stringify(array.shape), bytes.length, createdAt)
  return getArtifact(db, sha256)!
}

export function getArtifact(db: Db, sha256: string): ArtifactRow | undefined {
  const row = db.prepare('SELECT * FROM artifacts WHERE sha256 = ?').get(sha256) as
    | { sha256: string; file: string; dtype: string; shape: string; bytes: number; created_at: string }
    | undefined
  if (!row) return undefined
  return {
    sha256: row.sha256,
    file: row.file,
    dtype: row.dtype,
    shape: JSON.parse(row.shape) as number[],
    bytes: row.bytes,
    createdAt: row.created_at,
  }
}

/** A stored array, read back. */
export function readArtifact(db: Db, projectDir: string, sha256: string): NpyArray {
  const row = getArtifact(db, sha256)
  if (!row) throw new AppError('not_found', `There is no artifact ${sha256} in this project.`)
  return readNpyFile(join(projectDir, ARTIFACTS_DIR, row.file))
}

export function listArtifacts(db: Db): ArtifactRow[] {
  const rows = db.prepare('SELECT sha256 FROM artifacts ORDER BY created_at, sha256').all() as { sha256: string }[]
  return rows.map((r) => getArtifact(db, r.sha256)!)
}

/** The files in the artifacts folder. */
export function listArtifactFiles(projectDir: string): string[] {
  const dir = join(projectDir, ARTIFACTS_DIR)
  return existsSync(dir) ? readdirSync(dir) : []
}
