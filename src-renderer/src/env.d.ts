/// <reference types="vite/client" />
import type { HumanAlignBridge } from '@api/contract'

declare global {
  interface Window {
    /** Present in the desktop window only (the preload); a browser talks over WebSocket instead. */
    humanalign?: HumanAlignBridge
  }
}

declare module '*.vue' {
  import type { DefineComponent } from 'vue'
  const component: DefineComponent<object, object, unknown>
  export default component
}
