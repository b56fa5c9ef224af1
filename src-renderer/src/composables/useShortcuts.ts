import { onBeforeUnmount, onMounted } from 'vue'
import { useRouter } from 'vue-router'
import { pages } from '../router'

/** Alt+1 … Alt+6 switch pages; Escape leaves the current field. */
export function useShortcuts(onEscape: () => void): void {
  const router = useRouter()
  const handler = (event: KeyboardEvent): void => {
    if (event.altKey && !event.ctrlKey && !event.metaKey && /^Digit[1-9]$/.test(event.code)) {
      const page = pages[Number(event.code.slice(5)) - 1]
      if (page) {
        event.preventDefault()
        void router.push(page.path)
      }
    } else if (event.key === 'Escape') {
      onEscape()
    }
  }
  onMounted(() => window.addEventListener('keydown', handler))
  onBeforeUnmount(() => window.removeEventListener('keydown', handler))
}
