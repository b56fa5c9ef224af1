// A session (what the window, the server and the CLI drive) with a new project open, its config in a temporary
// folder, closed after each test.
import { join } from 'node:path'
import { afterEach } from 'vitest'
import type { AppEvent } from '../../src-main/api/contract'
import { createEventBus } from '../../src-main/api/events'
import { Session } from '../../src-main/app/session'
import type { Project } from '../../src-main/store/project'
import { EXAMPLES_DIR, WORKER_DIR } from './seed'
import { useTmp } from './tmp'

export function useSession() {
  const tmp = useTmp()
  let session: Session | null = null
  afterEach(async () => {
    await session?.close()
    session = null
    delete process.env.HUMANALIGN_CONFIG_DIR
  })
  return async () => {
    process.env.HUMANALIGN_CONFIG_DIR = join(tmp(), 'config')
    const events = createEventBus()
    const seen: AppEvent[] = []
    events.subscribe((e) => seen.push(e))
    session = new Session({ app: { name: 'HumanAlign', version: '0', node: process.version, electron: null, platform: process.platform, transport: 'cli' }, workerDir: WORKER_DIR, events, examplesDir: EXAMPLES_DIR })
    await session.create(join(tmp(), 'p'), 'P')
    return { session, seen, project: (session as unknown as { project: Project }).project }
  }
}
