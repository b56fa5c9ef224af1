// The Python that runs the benchmark references: one with the modules a case needs.
import { spawnSync } from 'node:child_process'
import { AppError } from '../api/errors'

const hasModules = (python: string, modules: string[]): boolean =>
  spawnSync(python, ['-c', modules.map((m) => `import ${m}`).join('; ')], { stdio: 'ignore' }).status === 0

/**
 * $HUMANALIGN_PYTHON if set, else the first of python3 on the PATH and Debian's /usr/bin/python3 that has the
 * modules (NumPy; and PyTorch for the probe's reference).
 */
export function findPython(modules: string[] = ['numpy']): string {
  const names = modules.map((m) => ({ numpy: 'NumPy', torch: 'PyTorch', torchvision: 'torchvision', sklearn: 'scikit-learn' })[m] ?? m).join(' and ')
  const install = `apt-get install ${modules.map((m) => `python3-${m}`).join(' ')}`
  const chosen = process.env.HUMANALIGN_PYTHON
  if (chosen) {
    if (hasModules(chosen, modules)) return chosen
    throw new AppError('user', `HUMANALIGN_PYTHON=${chosen} cannot import ${names}. Point it at a Python with ${names}, or install ${modules.length > 1 ? 'them' : 'it'}: ${install}.`)
  }
  for (const python of ['python3', '/usr/bin/python3']) {
    if (hasModules(python, modules)) return python
  }
  throw new AppError('user', `The benchmark references need Python 3 with ${names}, which was not found. Install with \`${install}\` (or point HUMANALIGN_PYTHON at a Python that has ${modules.length > 1 ? 'them' : 'it'}).`)
}
