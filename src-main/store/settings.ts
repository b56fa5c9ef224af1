import { mkdirSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { BackendSetting, type Settings } from '../api/contract'
import { writeFileAtomic } from './artifacts'

const DEFAULTS: Settings = { backend: 'auto' }

/** The user's settings, a small JSON file in the config folder; unknown or damaged values read as defaults. */
export class SettingsFile {
  constructor(private readonly file: string) {}

  static inConfigDir(dir: string): SettingsFile {
    return new SettingsFile(join(dir, 'settings.json'))
  }

  read(): Settings {
    let raw: Record<string, unknown> = {}
    try {
      raw = JSON.parse(readFileSync(this.file, 'utf8')) as Record<string, unknown>
    } catch {
      return { ...DEFAULTS }
    }
    const backend = BackendSetting.safeParse(raw.backend)
    return { backend: backend.success ? backend.data : DEFAULTS.backend }
  }

  write(settings: Settings): Settings {
    mkdirSync(dirname(this.file), { recursive: true })
    writeFileAtomic(this.file, new TextEncoder().encode(JSON.stringify(settings, null, 2)))
    return settings
  }
}
