import * as echarts from 'echarts/core'
import { onBeforeUnmount, onMounted, ref, watch, type WatchSource } from 'vue'
import { releaseChart } from './releaseChart'
import { useTheme } from './useTheme'

/**
 * A chart in the element the returned ref is bound to: drawn with the theme's colours from `option()`, redrawn
 * when a source changes (the same instance, new option), made again when the theme changes, resized with the
 * window, released with the component. `setup` attaches event handlers to each instance made.
 */
export function useEchart(option: () => Record<string, unknown>, sources: WatchSource[], setup?: (chart: echarts.ECharts) => void) {
  const element = ref<HTMLDivElement | null>(null)
  const { theme } = useTheme()
  let chart: echarts.ECharts | null = null

  const draw = (): void => {
    chart?.setOption({ backgroundColor: 'transparent', animation: false, ...option() }, { notMerge: true })
  }
  const create = (): void => {
    if (!element.value) return
    if (chart) releaseChart(chart)
    chart = echarts.init(element.value, theme.value === 'dark' ? 'dark' : undefined)
    // Event handlers go on each new instance (the theme makes a new one).
    setup?.(chart)
    draw()
  }
  const resize = (): void => chart?.resize()
  onMounted(() => {
    create()
    window.addEventListener('resize', resize)
  })
  watch(sources, draw)
  watch(theme, create)
  onBeforeUnmount(() => {
    window.removeEventListener('resize', resize)
    if (chart) releaseChart(chart)
    chart = null
  })
  return element
}
