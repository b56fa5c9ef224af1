import { ref, watchEffect } from 'vue'

const KEY = 'humanalign.demo'

/** Demo mode for a projector: larger type and no file paths (the root gets the class "demo"); remembered. */
const demo = ref(localStorage.getItem(KEY) === 'on')
watchEffect(() => {
  document.documentElement.classList.toggle('demo', demo.value)
  localStorage.setItem(KEY, demo.value ? 'on' : 'off')
  // Charts size themselves to their boxes; a new font size changes the boxes.
  window.dispatchEvent(new Event('resize'))
})

export function useDemoMode() {
  return { demo, toggle: () => (demo.value = !demo.value) }
}
