// Files the user saves from a view: the browser's download (in the window, Electron asks where to save).

export function downloadBlob(name: string, blob: Blob): void {
  const link = document.createElement('a')
  link.href = URL.createObjectURL(blob)
  link.download = name
  link.click()
  setTimeout(() => URL.revokeObjectURL(link.href), 1000)
}

export function downloadCsv(name: string, header: string[], rows: string[][]): void {
  const quote = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s)
  const lines = [header, ...rows].map((row) => row.map(quote).join(','))
  downloadBlob(name, new Blob([`${lines.join('\n')}\n`], { type: 'text/csv' }))
}
