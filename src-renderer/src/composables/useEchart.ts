import * as echarts from 'echarts/core'
import { onBeforeUnmount, onMounted, ref, watch, type WatchSource } from 'vue'
import { useTheme } from './useTheme'

/**
 * A chart in the element the returned ref is bound to: drawn with the theme's colours from `option()`, redrawn
 * when a source changes (the same instance, new option: disposing one while zrender has a frame scheduled threw
 * "reading 'layerStack'" in the next frame), made again when the theme changes, resized with the window,
 * disposed with the component. `setup` attaches event handlers to each instance made.
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
    chart?.dispose()
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
    // Disposed a moment later: zrender may still have a frame scheduled for it (a hover's emphasis animation when a
    // tab closes), and painting a disposed chart throws "reading 'layerStack'".
    const old = chart
    chart = null
    setTimeout(() => old?.dispose(), 500)
  })
  return element
}
