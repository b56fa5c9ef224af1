// Types of build-wasm.mjs, for the test that checks the generated kernels are current.
export function kernels(): { wat: string; ts: string }[]
export function compile(watPath: string): Promise<string>
