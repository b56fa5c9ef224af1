#!/usr/bin/env node
'use strict'
const { existsSync } = require('node:fs')
const { join } = require('node:path')

const entry = join(__dirname, '..', 'out', 'main', 'cli.js')
if (!existsSync(entry)) {
  process.stderr.write('humanalign: the app is not built yet. Run `npm install` (or `npm run build`) in its folder.\n')
  process.exit(2)
}
require(entry)
