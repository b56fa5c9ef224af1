// Bundled into a blank page by chartRelease.test.ts: the app's ECharts build for heatmaps and its way of
// releasing a chart.
import { HeatmapChart } from 'echarts/charts'
import { GridComponent, VisualMapComponent } from 'echarts/components'
import * as echarts from 'echarts/core'
import { CanvasRenderer } from 'echarts/renderers'
import { releaseChart } from '../../src-renderer/src/composables/releaseChart'

echarts.use([HeatmapChart, GridComponent, VisualMapComponent, CanvasRenderer])
Object.assign(globalThis, { echarts, releaseChart })
