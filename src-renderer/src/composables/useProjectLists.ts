import { watch } from 'vue'
import { useData } from '../stores/data'
import { useProject } from '../stores/project'
import { useResults } from '../stores/results'

/** Keeps the project's datasets and runs current: reloaded when another project opens or either count changes. */
export function useProjectLists(): void {
  const project = useProject()
  const data = useData()
  const results = useResults()
  watch(
    () => [project.current?.path, project.current?.counts.runs, project.current?.counts.datasets],
    () => {
      if (!project.current) return
      void results.load()
      void data.load()
    },
    { immediate: true },
  )
}
