import { homedir } from 'node:os'
import { join } from 'node:path'

/** Where settings and the recent-projects list live: $HUMANALIGN_CONFIG_DIR, else the XDG/OS convention. */
export function configDir(): string {
  if (process.env.HUMANALIGN_CONFIG_DIR) return process.env.HUMANALIGN_CONFIG_DIR
  if (process.platform === 'win32') return join(process.env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'HumanAlign')
  if (process.platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'HumanAlign')
  return join(process.env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'humanalign')
}

/** Default parent folder for new projects: $HUMANALIGN_PROJECTS_DIR, else ~/HumanAlign. */
export function defaultProjectsDir(): string {
  return process.env.HUMANALIGN_PROJECTS_DIR ?? join(homedir(), 'HumanAlign')
}
