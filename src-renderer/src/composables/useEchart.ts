import * as echarts from 'echarts/core'
import { onBeforeUnmount, onMounted, ref, watch, type WatchSource } from 'vue'
import { useTheme } from './useTheme'

/**
 * A chart in the element the returned ref is bound to: drawn with the theme's colours from `option()`, redrawn
 * when a source or the theme changes, resized with the window, disposed with the component.
 */
export function useEchart(option: () => Record<string, unknown>, sources: WatchSource[]) {
  const element = ref<HTMLDivElement | null>(null)
  const { theme } = useTheme()
  let chart: echarts.ECharts | null = null

  const render = (): void => {
    if (!element.value) return
    chart?.dispose()
    chart = echarts.init(element.value, theme.value === 'dark' ? 'dark' : undefined)
    chart.setOption({ backgroundColor: 'transparent', animation: false, ...option() })
  }
  const resize = (): void => chart?.resize()
  onMounted(() => {
    render()
    window.addEventListener('resize', resize)
  })
  watch([...sources, theme], render)
  onBeforeUnmount(() => {
    window.removeEventListener('resize', resize)
    chart?.dispose()
  })
  return element
}
