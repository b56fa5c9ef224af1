import type { JobKind } from '../../api/contract'
import type { ArtifactRow } from '../../store/artifacts'
import type { JobFunction } from '../protocol'
import { verifyArtifacts } from './verifyArtifacts'

/** Every job kind, by name; each runs inside a worker thread. */
export const jobKinds: Record<JobKind, JobFunction> = {
  verifyArtifacts: (_spec, input, ctx) => verifyArtifacts(input as ArtifactRow[], ctx),
}
