// POT 0.8.2 references for GW: /usr/bin/python3 tests/fixtures/gw/make_fixtures.py
import { readFileSync } from 'node:fs'
import { join } from 'node:path'

export interface GwReference {
  n: number
  epsilon: number
  c1: number[]
  c2: number[]
  plan: number[]
  loss: number
  top1: number
  sinkhornCost: number[]
  sinkhornEpsilon: number
  sinkhornPlan: number[]
  /** The same problem with non-uniform marginals (weights of any scale). */
  weighted: { a: number[]; b: number[]; plan: number[]; loss: number; top1: number }
}

export const gwReference = JSON.parse(readFileSync(join(__dirname, '../fixtures/gw/reference.json'), 'utf8')) as GwReference
