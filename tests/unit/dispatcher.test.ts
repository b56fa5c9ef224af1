import { describe, expect, it, vi } from 'vitest'
import { createDispatcher, type Handlers } from '../../src-main/api/dispatcher'
import { AppError } from '../../src-main/api/errors'

function handlers(overrides: Partial<Handlers>): Handlers {
  const unused = () => {
    throw new Error('not called in this test')
  }
  return new Proxy(overrides, { get: (target, key) => (target as Record<string, unknown>)[key as string] ?? unused }) as Handlers
}

describe('dispatcher', () => {
  it('validates input and passes the parsed value to the handler', async () => {
    const rename = vi.fn((input: { name: string }) => ({ renamed: input.name }))
    const dispatch = createDispatcher(handlers({ 'project.rename': rename as never }))
    const bad = await dispatch('browser', 'project.rename', { name: '   ' })
    expect(bad).toEqual({ ok: false, error: { code: 'bad_request', message: 'Invalid input for project.rename: name: a project name is required.' } })
    const extra = await dispatch('browser', 'project.rename', { name: 'x', admin: true })
    expect(extra.ok).toBe(false)
    expect(rename).not.toHaveBeenCalled()
  })

  it('wants folder paths absolute', async () => {
    const dispatch = createDispatcher(
      handlers({
        'project.open': ({ path }) => {
          throw new AppError('not_found', `reached the handler with ${path}`)
        },
      }),
    )
    expect(await dispatch('browser', 'project.open', { path: 'studies/things' })).toEqual({
      ok: false,
      error: {
        code: 'bad_request',
        message:
          'Invalid input for project.open: path: give the full path of the folder, starting at the root (such as /home/you/HumanAlign/study).',
      },
    })
    for (const path of ['/home/me/p', 'C:\\Users\\me\\p', 'D:/data/p', '\\\\server\\share\\p']) {
      expect(await dispatch('browser', 'project.open', { path })).toEqual({
        ok: false,
        error: { code: 'not_found', message: `reached the handler with ${path}` },
      })
    }
  })

  it('rejects unknown operations and callers that may not use one', async () => {
    const dispatch = createDispatcher(handlers({ 'dialog.pickFolder': () => '/picked' }))
    expect(await dispatch('browser', 'fs.deleteEverything', {})).toEqual({
      ok: false,
      error: { code: 'bad_request', message: 'Unknown operation "fs.deleteEverything".' },
    })
    expect(await dispatch('browser', 'dialog.pickFolder', { title: 't' })).toEqual({
      ok: false,
      error: { code: 'forbidden', message: 'Operation dialog.pickFolder is not available from browser.' },
    })
    expect(await dispatch('renderer', 'dialog.pickFolder', { title: 't' })).toEqual({ ok: true, output: '/picked' })
    expect(await dispatch('browser', 'toString', {})).toMatchObject({ ok: false, error: { code: 'bad_request' } })
  })

  it('passes user errors through and hides internal ones behind a marked message', async () => {
    const onInternal = vi.fn()
    const dispatch = createDispatcher(
      handlers({
        'project.open': () => {
          throw new AppError('user', '/x is not a HumanAlign project.')
        },
        'project.close': () => {
          throw new TypeError('boom')
        },
        'project.info': () => {
          throw Object.assign(new Error("ENOENT: no such file or directory, open '/gone/project.sqlite'"), { code: 'ENOENT', path: '/gone/project.sqlite' })
        },
      }),
      onInternal,
    )
    expect(await dispatch('cli', 'project.open', { path: '/x' })).toEqual({
      ok: false,
      error: { code: 'user', message: '/x is not a HumanAlign project.' },
    })
    // A file-system error on a path is the user's: the path and what is wrong with it, in words.
    expect(await dispatch('cli', 'project.info', { path: '/gone' })).toEqual({ ok: false, error: { code: 'user', message: '/gone/project.sqlite: no such file or folder. Check the path.' } })
    expect(onInternal).not.toHaveBeenCalled()
    expect(await dispatch('cli', 'project.close', {})).toEqual({ ok: false, error: { code: 'internal', message: 'Internal error: boom' } })
    expect(onInternal).toHaveBeenCalledOnce()
  })

  it('checks what a handler returns against the contract', async () => {
    const dispatch = createDispatcher(handlers({ 'project.recent': () => [{ path: 1 }] as never }))
    expect(await dispatch('renderer', 'project.recent', {})).toMatchObject({ ok: false, error: { code: 'internal' } })
  })
})
