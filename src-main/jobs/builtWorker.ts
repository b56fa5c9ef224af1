import { existsSync } from 'node:fs'
import { join } from 'node:path'

/**
 * The built entry of a helper thread (out/main/NAME.js): beside this code, or one folder up when the bundler put
 * this code in a shared chunk; null when neither exists (running from the sources, as the unit tests do).
 */
export function findBuiltWorker(name: string): string | null {
  return [join(__dirname, `${name}.js`), join(__dirname, '..', `${name}.js`)].find((path) => existsSync(path)) ?? null
}

/** As findBuiltWorker, but the path beside this code when there is none, so that starting it says what is missing. */
export function builtWorker(name: string): string {
  return findBuiltWorker(name) ?? join(__dirname, `${name}.js`)
}
