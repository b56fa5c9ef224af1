// SciPy's figures for the AligNet "base vs aligned" table of the 12-image classification fixture
// (tests/fixtures/classification/make_beforeafter.py), for the CLI's test and the job's.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'

interface SideReference {
  r: number[]
  mean: number
  sem: number
  withMean: number
}

export interface BeforeAfterReference {
  agreement: { base: boolean[]; aligned: boolean[] }
  mcnemarP: number
  base: SideReference
  aligned: SideReference
  signedRankP: number
}

export const beforeAfterReference = (): BeforeAfterReference =>
  JSON.parse(readFileSync(join(__dirname, '../fixtures/classification/beforeafter_scipy.json'), 'utf8')) as BeforeAfterReference
