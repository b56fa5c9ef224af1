import { hostname } from 'node:os'
import { readFileSync, unlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { AppError } from '../api/errors'

// One running HumanAlign per project: a second writer would interleave jobs and migrations. The lock is a
// file with the owner's pid and host; a lock whose process is gone on this host is stale and taken over.

export const LOCK_FILE = 'project.lock'

interface LockOwner {
  pid: number
  host: string
  since: string
}

const held = new Set<string>()
process.once('exit', () => {
  for (const file of held) releaseFile(file)
})

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

function readOwner(file: string): LockOwner | null {
  try {
    const owner = JSON.parse(readFileSync(file, 'utf8')) as Partial<LockOwner>
    if (typeof owner.pid === 'number' && typeof owner.host === 'string') {
      return { pid: owner.pid, host: owner.host, since: String(owner.since ?? '') }
    }
  } catch {
    // unreadable lock: treated as stale below
  }
  return null
}

function releaseFile(file: string): void {
  const owner = readOwner(file)
  if (owner && owner.pid === process.pid && owner.host === hostname()) {
    try {
      unlinkSync(file)
    } catch {
      // already gone
    }
  }
  held.delete(file)
}

export interface ProjectLock {
  release(): void
}

export function acquireLock(projectDir: string): ProjectLock {
  const file = join(projectDir, LOCK_FILE)
  const me: LockOwner = { pid: process.pid, host: hostname(), since: new Date().toISOString() }
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, JSON.stringify(me), { flag: 'wx' })
      held.add(file)
      return { release: () => releaseFile(file) }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
    }
    const owner = readOwner(file)
    const local = owner?.host === me.host
    if (owner && (owner.pid === process.pid && local)) {
      throw new AppError('conflict', `${projectDir} is already open in this window.`)
    }
    if (owner && (!local || isAlive(owner.pid))) {
      const where = local ? `process ${owner.pid}` : `process ${owner.pid} on ${owner.host}`
      throw new AppError(
        'conflict',
        `${projectDir} is open in another HumanAlign (${where}, since ${owner.since}). Close it there first; ` +
          `if that program is no longer running, delete ${file}.`,
      )
    }
    unlinkSync(file) // stale: its process is gone
  }
  throw new AppError('conflict', `Could not lock ${projectDir}: another program keeps taking ${file}.`)
}
