import { createHash } from 'node:crypto'
import { open } from 'node:fs/promises'
import { join } from 'node:path'
import { ARTIFACTS_DIR, type ArtifactRow } from '../../store/artifacts'
import { throwIfCancelled, type JobContext } from '../protocol'

const CHUNK = 4 * 1024 * 1024

export interface VerifyResult {
  checked: number
  bytes: number
  missing: string[]
  corrupted: string[]
}

async function hashFile(file: string, signal: AbortSignal, onBytes: (n: number) => void): Promise<string | null> {
  let handle
  try {
    handle = await open(file, 'r')
  } catch {
    return null
  }
  try {
    const hash = createHash('sha256')
    const buffer = new Uint8Array(CHUNK)
    for (;;) {
      throwIfCancelled(signal)
      const { bytesRead } = await handle.read(buffer, 0, CHUNK, null)
      if (bytesRead === 0) break
      hash.update(buffer.subarray(0, bytesRead))
      onBytes(bytesRead)
    }
    return hash.digest('hex')
  } finally {
    await handle.close()
  }
}

/**
 * Re-hashes every artifact file and reports those missing or whose content no longer matches its name.
 * Checkpoints after each file, so a resumed run continues with the next one.
 */
export async function verifyArtifacts(artifacts: ArtifactRow[], ctx: JobContext): Promise<VerifyResult> {
  const total = artifacts.reduce((s, a) => s + a.bytes, 0)
  const result: VerifyResult = (ctx.restored?.state as VerifyResult | undefined) ?? { checked: 0, bytes: 0, missing: [], corrupted: [] }
  ctx.progress(total > 0 ? result.bytes / total : 0, `Verifying ${artifacts.length} artifacts`)
  for (const [index, artifact] of artifacts.entries()) {
    if (index < result.checked) continue
    const started = performance.now()
    let fileBytes = 0
    const digest = await hashFile(join(ctx.projectDir, ARTIFACTS_DIR, artifact.file), ctx.signal, (n) => {
      fileBytes += n
      result.bytes += n
      ctx.progress(total > 0 ? Math.min(1, result.bytes / total) : index / artifacts.length, `Artifact ${index + 1} of ${artifacts.length}`)
    })
    if (digest === null) result.missing.push(artifact.file)
    else if (digest !== artifact.sha256) result.corrupted.push(artifact.file)
    result.checked++
    const seconds = (performance.now() - started) / 1000
    if (seconds > 0) ctx.metric('MB/s', index, fileBytes / 1e6 / seconds)
    ctx.checkpoint(result)
  }
  ctx.progress(1, 'Done')
  return result
}
