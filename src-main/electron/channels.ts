/** The only IPC channels between the window and the main process. */
export const INVOKE_CHANNEL = 'humanalign:invoke'
export const EVENT_CHANNEL = 'humanalign:event'
