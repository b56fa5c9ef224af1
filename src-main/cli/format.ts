import type { ProjectInfo } from '../api/contract'
import { formatBytes } from '../api/format'

export function formatProject(info: ProjectInfo): string {
  const c = info.counts
  return [
    `Project    ${info.name}`,
    `Folder     ${info.path}`,
    `Created    ${info.createdAt} with HumanAlign ${info.appVersion}`,
    `Schema     v${info.schemaVersion}`,
    `Contents   ${c.datasets} datasets, ${c.models} models, ${c.featureSets} feature sets, ${c.runs} runs, ` +
      `${c.metrics} metric values, ${c.jobs} jobs`,
    `Artifacts  ${c.artifacts} files, ${formatBytes(info.artifactBytes)}`,
    ...(info.backupPath ? [`Migrated   the previous file was kept as ${info.backupPath}`] : []),
  ].join('\n')
}
