// One benchmark case in its own process, so its peak memory is its own. Prints one JSON object.
// Usage: node benchCase.js CASE SIZE REPEATS [BACKEND]
import { chooseBackend } from '../core/compute/backend'
import { isBackendName } from '../core/compute/backendNames'
import { BENCH_CASES, isCaseName, timeCase } from './cases'

async function main(): Promise<void> {
  const [name = '', size = '', repeats = '', backend] = process.argv.slice(2)
  if (!isCaseName(name)) throw new Error(`unknown case ${name}`)
  const choice = await chooseBackend({ force: isBackendName(backend) ? backend : undefined })
  const timing = await timeCase(BENCH_CASES[name].prepare(Number(size)), Number(repeats), BENCH_CASES[name].once)
  process.stdout.write(
    `${JSON.stringify({
      implementation: `HumanAlign (tfjs ${choice.name}${choice.adapter ? `, ${choice.adapter.architecture || choice.adapter.vendor}` : ''}${choice.detail ? `, ${choice.detail}` : ''})`,
      backend: choice.name,
      milliseconds: timing.milliseconds,
      peakRssBytes: process.resourceUsage().maxRSS * 1024,
      checksum: timing.checksum,
    })}\n`,
  )
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`)
    process.exit(1)
  },
)
