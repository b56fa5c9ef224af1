import { describe, expect, it } from 'vitest'
import { parseServeArgs } from '../../src-main/server/serve'
import { isLoopbackHost, tokensEqual } from '../../src-main/server/security'
import { resolveStaticPath } from '../../src-main/server/static'

describe('browser-mode guards', () => {
  it('knows loopback addresses', () => {
    for (const host of ['127.0.0.1', '127.3.2.1', 'localhost', '::1', '[::1]']) expect(isLoopbackHost(host)).toBe(true)
    for (const host of ['0.0.0.0', '192.168.1.5', '::', 'example.org', '128.0.0.1']) expect(isLoopbackHost(host)).toBe(false)
  })

  it('compares tokens exactly', () => {
    expect(tokensEqual('abc', 'abc')).toBe(true)
    expect(tokensEqual('abc', 'abd')).toBe(false)
    expect(tokensEqual('abc', 'abcd')).toBe(false)
    expect(tokensEqual('abc', null)).toBe(false)
  })

  it('binds to 127.0.0.1 by default and refuses other hosts without --allow-remote', () => {
    expect(parseServeArgs([])).toEqual({ port: 5757, host: '127.0.0.1' })
    expect(() => parseServeArgs(['--host', '0.0.0.0'])).toThrow(/Refusing to listen on 0.0.0.0.*--allow-remote/)
    expect(parseServeArgs(['--host', '0.0.0.0', '--allow-remote', '--port', '0'])).toEqual({ port: 0, host: '0.0.0.0' })
    expect(() => parseServeArgs(['--port', '70000'])).toThrow(/is not a port number/)
  })
})

describe('resolveStaticPath', () => {
  const root = '/srv/renderer'
  it('maps URLs to files under the root and never above it', () => {
    expect(resolveStaticPath(root, '/')).toBe('/srv/renderer/index.html')
    expect(resolveStaticPath(root, '/assets/index-1.js?x=1')).toBe('/srv/renderer/assets/index-1.js')
    expect(resolveStaticPath(root, 'app://humanalign/index.html')).toBe('/srv/renderer/index.html')
    expect(resolveStaticPath(root, '/../../etc/passwd')).toBe('/srv/renderer/etc/passwd')
    expect(resolveStaticPath(root, '/..%2F..%2Fetc%2Fpasswd')).toBe('/srv/renderer/etc/passwd')
    expect(resolveStaticPath(root, '/..%5C..%5Cetc')).toBe('/srv/renderer/etc')
  })

  it('refuses malformed URLs and NUL bytes', () => {
    expect(resolveStaticPath(root, '/%E0%A4%A')).toBeNull()
    expect(resolveStaticPath(root, '/index.html%00.png')).toBeNull()
  })
})
