import type { AppInfo, ExampleName, ProjectInfo, RecentProject } from '@api/contract'
import { defineStore } from 'pinia'
import { ref } from 'vue'
import { client } from './client'
import { useToasts } from './toasts'

export const useProject = defineStore('project', () => {
  const app = ref<AppInfo | null>(null)
  const current = ref<ProjectInfo | null>(null)
  const recent = ref<RecentProject[]>([])
  const busy = ref(false)
  /** Whether the open project has been asked for: until then "no project" would only flash before it. */
  const loaded = ref(false)
  const toasts = useToasts()

  async function guarded<T>(work: () => Promise<T>): Promise<T | undefined> {
    busy.value = true
    try {
      return await work()
    } catch (err) {
      toasts.error(err)
      return undefined
    } finally {
      busy.value = false
    }
  }

  async function load(): Promise<void> {
    await guarded(async () => {
      const [info, open, list] = await Promise.all([
        client().call('app.info', {}),
        client().call('project.current', {}),
        client().call('project.recent', {}),
      ])
      app.value = info
      current.value = open
      recent.value = list
    })
    loaded.value = true
  }

  async function refreshRecent(): Promise<void> {
    recent.value = (await guarded(() => client().call('project.recent', {}))) ?? recent.value
  }

  async function create(path: string, name: string): Promise<boolean> {
    const info = await guarded(() => client().call('project.create', { path, name }))
    if (!info) return false
    current.value = info
    toasts.show('info', `Created project "${info.name}".`)
    await refreshRecent()
    return true
  }

  async function createExample(example: ExampleName, path: string): Promise<boolean> {
    const created = await guarded(() => client().call('project.createExample', { path, example }))
    if (!created) return false
    current.value = created.project
    toasts.show('info', `Created "${created.project.name}"; importing ${created.jobs.length} datasets in the background.`)
    await refreshRecent()
    return true
  }

  async function open(path: string): Promise<boolean> {
    const info = await guarded(() => client().call('project.open', { path }))
    if (!info) return false
    current.value = info
    if (info.backupPath) toasts.show('info', `Project updated to the current format; the old file was kept as ${info.backupPath}.`)
    await refreshRecent()
    return true
  }

  async function rename(name: string): Promise<void> {
    const info = await guarded(() => client().call('project.rename', { name }))
    if (info) current.value = info
    await refreshRecent()
  }

  async function close(): Promise<void> {
    await guarded(() => client().call('project.close', {}))
    current.value = null
    await refreshRecent()
  }

  async function forget(path: string): Promise<void> {
    recent.value = (await guarded(() => client().call('project.forget', { path }))) ?? recent.value
  }

  async function pickFolder(title: string): Promise<string | null> {
    return (await guarded(() => client().call('dialog.pickFolder', { title }))) ?? null
  }

  /** Pushed by the main side when the open project changes (another tab, a job that added artifacts). */
  function applyChange(project: ProjectInfo | null): void {
    current.value = project
  }

  return { app, current, recent, busy, loaded, load, create, createExample, open, rename, close, forget, pickFolder, applyChange, refreshRecent }
})
