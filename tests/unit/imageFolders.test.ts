// Folders of images as researchers keep them: subfolders per concept or class, hidden files beside, names that
// repeat across folders; the ids and the categories an image set gets from them.
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { commonRoot, folderCategories, imageIds, listImageFiles } from '../../src-main/files/images'
import { useTmp } from '../helpers/tmp'

const tmp = useTmp()

function folder(files: string[]): string {
  const root = join(tmp(), 'images')
  for (const file of files) {
    mkdirSync(join(root, file, '..'), { recursive: true })
    writeFileSync(join(root, file), '')
  }
  return root
}

describe('image folders', () => {
  it('lists the images of every subfolder in natural order, passing over hidden files and folders', () => {
    const root = folder(['b/img_10.jpg', 'b/img_2.jpg', 'a.png', '.hidden/x.jpg', 'b/.DS_Store', '__MACOSX/b/img_2.jpg', 'c/notes.txt', 'c/d/deep.webp'])
    symlinkSync(join(root, 'a.png'), join(root, 'link.png'))
    expect(listImageFiles(root)).toEqual(['a.png', 'b/img_2.jpg', 'b/img_10.jpg', 'c/d/deep.webp', 'link.png'])
  })

  it('says when there are no images, and how to convert bitmaps', () => {
    expect(() => listImageFiles(folder(['a/notes.txt']))).toThrow(/^there are no \.jpg, \.png, \.webp, \.tif, \.gif or \.avif images in .* or its subfolders\.$/)
    expect(() => listImageFiles(folder(['a/scan.bmp']))).toThrow('Its .bmp images are not read: convert them to .png (lossless).')
  })

  it('names images by file name, by path where names repeat across folders, in full where even those repeat', () => {
    expect(imageIds(['aardvark/aardvark_01b.jpg', 'abacus/abacus_01b.jpg'])).toEqual(['aardvark_01b', 'abacus_01b'])
    expect(imageIds(['cat/01.jpg', 'dog/01.jpg'])).toEqual(['cat/01', 'dog/01'])
    expect(imageIds(['cat.jpg', 'cat.png'])).toEqual(['cat.jpg', 'cat.png'])
  })

  it('keeps the images of a list under the deepest folder that holds them all', () => {
    expect(commonRoot(['/data/things/aardvark/a.jpg', '/data/things/abacus/b.jpg'])).toEqual({ root: '/data/things', files: ['aardvark/a.jpg', 'abacus/b.jpg'] })
    expect(commonRoot(['/data/x/a.jpg', '/data/x/b.jpg'])).toEqual({ root: '/data/x', files: ['a.jpg', 'b.jpg'] })
    expect(commonRoot(['/a.jpg', '/b/c.jpg'])).toEqual({ root: '/', files: ['a.jpg', 'b/c.jpg'] })
  })

  it('takes the top subfolders as categories, in the order of the images', () => {
    expect(folderCategories(['dog/1.jpg', 'cat/1.jpg', 'dog/2.jpg', 'loose.jpg', 'cat/x/2.jpg'])).toEqual({
      categories: ['dog', 'cat'],
      membership: Uint8Array.of(1, 0, 0, 1, 1, 0, 0, 0, 0, 1),
    })
    // One folder (or none) is no categorisation.
    expect(folderCategories(['dog/1.jpg', 'loose.jpg'])).toBeNull()
    expect(folderCategories(['a.jpg', 'b.jpg'])).toBeNull()
  })
})
