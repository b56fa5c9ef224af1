// A job's checkpoint: a JSON state plus named arrays, in <project>/jobs/<id>/. The state file is written last
// and atomically, so a checkpoint is either the previous one or the new one whole, never half of each.
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { encodeNpy, type NpyArray } from '../core/io/npy'
import { writeFileAtomic } from '../store/artifacts'
import { readNpyFile } from '../files/npyFile'

export const JOBS_DIR = 'jobs'
const STATE = 'checkpoint.json'

export interface Checkpoint {
  state: unknown
  arrays: Record<string, NpyArray>
}

export function checkpointDir(projectDir: string, jobId: number): string {
  return join(projectDir, JOBS_DIR, String(jobId))
}

function arrayFile(name: string, generation: number): string {
  if (!/^[a-z][a-z0-9_]*$/i.test(name)) throw new Error(`bad checkpoint array name ${JSON.stringify(name)}`)
  return `${name}.${generation}.npy`
}

export function writeCheckpoint(dir: string, checkpoint: Checkpoint): void {
  mkdirSync(dir, { recursive: true })
  const previous = readManifest(dir)
  const generation = (previous?.generation ?? 0) + 1
  const files: Record<string, string> = {}
  for (const [name, array] of Object.entries(checkpoint.arrays)) {
    files[name] = arrayFile(name, generation)
    writeFileAtomic(join(dir, files[name]), encodeNpy(array))
  }
  writeFileAtomic(join(dir, STATE), new TextEncoder().encode(JSON.stringify({ generation, state: checkpoint.state, files })))
  // The older generation's arrays are no longer referenced.
  for (const file of Object.values(previous?.files ?? {})) rmSync(join(dir, file), { force: true })
}

interface Manifest {
  generation: number
  state: unknown
  files: Record<string, string>
}

function readManifest(dir: string): Manifest | null {
  const file = join(dir, STATE)
  if (!existsSync(file)) return null
  return JSON.parse(readFileSync(file, 'utf8')) as Manifest
}

export function readCheckpoint(dir: string): Checkpoint | null {
  const manifest = readManifest(dir)
  if (!manifest) return null
  const arrays: Record<string, NpyArray> = {}
  for (const [name, file] of Object.entries(manifest.files)) arrays[name] = readNpyFile(join(dir, file))
  return { state: manifest.state, arrays }
}

export function removeCheckpoint(dir: string): void {
  rmSync(dir, { recursive: true, force: true })
}
