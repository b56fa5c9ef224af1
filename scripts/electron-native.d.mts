export type Found = { path: string; reason?: undefined } | { path?: undefined; reason: string }
export const root: string
export function electronBinary(options?: { forceBrowser?: boolean; download?: boolean }): Found
export function sqliteForElectron(): Found
