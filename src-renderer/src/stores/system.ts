import type { BackendSetting, DoctorReport } from '@api/contract'
import { defineStore } from 'pinia'
import { ref } from 'vue'
import { client } from './client'
import { useToasts } from './toasts'

export const useSystem = defineStore('system', () => {
  const report = ref<DoctorReport | null>(null)
  const backend = ref<BackendSetting>('auto')
  const checking = ref(false)
  const toasts = useToasts()

  async function check(): Promise<void> {
    checking.value = true
    try {
      report.value = await client().call('system.doctor', {})
    } catch (err) {
      toasts.error(err)
    } finally {
      checking.value = false
    }
  }

  async function loadSettings(): Promise<void> {
    try {
      backend.value = (await client().call('settings.get', {})).backend
    } catch (err) {
      toasts.error(err)
    }
  }

  async function setBackend(value: BackendSetting): Promise<void> {
    try {
      backend.value = (await client().call('settings.set', { backend: value })).backend
      await check()
    } catch (err) {
      toasts.error(err)
    }
  }

  return { report, backend, checking, check, loadSettings, setBackend }
})
