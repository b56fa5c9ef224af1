import { existsSync, mkdirSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import type { RecentProject } from '../api/contract'
import { writeFileAtomic } from './artifacts'
import { PROJECT_DB } from './project'

const MAX_RECENT = 20

interface Entry {
  path: string
  name: string
  openedAt: string
}

function isEntry(value: unknown): value is Entry {
  const e = value as Partial<Entry>
  return typeof e?.path === 'string' && typeof e.name === 'string' && typeof e.openedAt === 'string'
}

/** The recent-projects list, a small JSON file in the config folder. A damaged file reads as empty. */
export class RecentProjects {
  constructor(private readonly file: string) {}

  static inConfigDir(dir: string): RecentProjects {
    return new RecentProjects(join(dir, 'recent-projects.json'))
  }

  private read(): Entry[] {
    try {
      const parsed: unknown = JSON.parse(readFileSync(this.file, 'utf8'))
      return Array.isArray(parsed) ? parsed.filter(isEntry) : []
    } catch {
      return []
    }
  }

  private write(entries: Entry[]): void {
    mkdirSync(dirname(this.file), { recursive: true })
    writeFileAtomic(this.file, new TextEncoder().encode(JSON.stringify(entries, null, 2)))
  }

  list(): RecentProject[] {
    return this.read().map((e) => ({ ...e, exists: existsSync(join(e.path, PROJECT_DB)) }))
  }

  touch(path: string, name: string): void {
    const rest = this.read().filter((e) => e.path !== path)
    this.write([{ path, name, openedAt: new Date().toISOString() }, ...rest].slice(0, MAX_RECENT))
  }

  forget(path: string): RecentProject[] {
    this.write(this.read().filter((e) => e.path !== path))
    return this.list()
  }
}
