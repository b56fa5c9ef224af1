import type { HumanAlignBridge } from '@api/contract'
import { createClient, type Client } from './client'
import { createWsBridge } from './wsBridge'

const TOKEN_KEY = 'humanalign.token'

export type Connection = { client: Client; transport: 'electron' | 'browser' } | { client: null; problem: string }

/**
 * The desktop window has window.humanalign. A browser gets the session token from the URL printed at start,
 * keeps it for reloads of this tab, and removes it from the address bar.
 */
export function connect(): Connection {
  if (window.humanalign) return { client: createClient(window.humanalign), transport: 'electron' }
  const params = new URLSearchParams(location.search)
  const fromUrl = params.get('token')
  if (fromUrl) {
    sessionStorage.setItem(TOKEN_KEY, fromUrl)
    params.delete('token')
    const query = params.toString()
    history.replaceState(null, '', `${location.pathname}${query ? `?${query}` : ''}${location.hash}`)
  }
  const token = fromUrl ?? sessionStorage.getItem(TOKEN_KEY)
  if (!token) {
    return {
      client: null,
      problem: 'This page needs the session token. Open the full URL that `npm run serve` printed (it ends in ?token=…).',
    }
  }
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws'
  const bridge: HumanAlignBridge = createWsBridge(`${scheme}://${location.host}/ws?token=${encodeURIComponent(token)}`)
  return { client: createClient(bridge), transport: 'browser' }
}
