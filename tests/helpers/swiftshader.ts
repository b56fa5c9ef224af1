import { existsSync } from 'node:fs'

/** Points Dawn at SwiftShader's Vulkan driver (from Debian's chromium package) when no GPU driver is set. */
export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json'

export function useSwiftShader(): NodeJS.ProcessEnv {
  if (!existsSync(SWIFTSHADER_ICD)) throw new Error(`${SWIFTSHADER_ICD} is missing: apt-get install -y chromium libvulkan1`)
  const env = { VK_ICD_FILENAMES: process.env.VK_ICD_FILENAMES ?? SWIFTSHADER_ICD, XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR ?? '/tmp' }
  Object.assign(process.env, env)
  return env
}
