import type { ECharts } from 'echarts/core'

/**
 * Disposes a chart without leaving a paint behind. zrender paints a progressive layer (a large heatmap or scatter)
 * in 15 ms slices, each scheduling the next with requestAnimationFrame, and a slice that runs after dispose throws
 * "Cannot read properties of null (reading 'layerStack')" (zrender 6.1). Clearing first repaints an empty chart
 * at once, which supersedes the pending slice (zrender drops a slice whose redraw id is stale).
 */
export function releaseChart(chart: ECharts): void {
  chart.clear()
  chart.dispose()
}
