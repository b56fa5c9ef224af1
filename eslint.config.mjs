// Lint, and the layering of the house: core/ and api/ stay pure, only electron/ and the preload import electron,
// the renderer sees the main side only through src-main/api.
import tseslint from 'typescript-eslint'
import vue from 'eslint-plugin-vue'

const outsideWorld = ['node:fs', 'node:fs/promises', 'node:child_process', 'node:net', 'node:http', 'node:https', 'node:worker_threads', 'fs', 'child_process', 'net', 'http', 'https']

export default tseslint.config(
  { ignores: ['out/**', 'node_modules/**', '.native/**', '.gpu/**', 'tests/e2e/screenshots/**'] },
  ...tseslint.configs.recommended,
  ...vue.configs['flat/recommended'],
  {
    files: ['**/*.vue'],
    languageOptions: { parserOptions: { parser: tseslint.parser } },
    rules: { 'vue/multi-word-component-names': 'off', 'vue/max-attributes-per-line': 'off', 'vue/singleline-html-element-content-newline': 'off', 'vue/html-self-closing': 'off' },
  },
  {
    files: ['src-main/**/*.ts'],
    ignores: ['src-main/electron/**'],
    rules: { 'no-restricted-imports': ['error', { paths: [{ name: 'electron', message: 'Only src-main/electron/ imports electron.' }] }] },
  },
  {
    files: ['src-main/core/**/*.ts', 'src-main/api/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'electron', message: 'core/ and api/ are pure: no electron.' },
            { name: 'better-sqlite3', message: 'core/ and api/ are pure: SQL lives in store/.' },
            ...outsideWorld.map((name) => ({ name, message: 'core/ and api/ are pure: I/O lives in store/, jobs/, server/.' })),
          ],
          patterns: [{ group: ['../store/*', '../jobs/*', '../server/*', '../electron/*', '../cli/*'], message: 'core/ and api/ do not reach into the outer layers.' }],
        },
      ],
    },
  },
  {
    // tfjs-webgpu reads a tensor synchronously only through OffscreenCanvas, which Node (our workers) lacks: on a
    // GPU a dataSync fails. The CPU-only product worker may read synchronously.
    files: ['src-main/**/*.ts'],
    ignores: ['src-main/jobs/gwProductWorker.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        ...['dataSync', 'arraySync', 'bufferSync'].map((property) => ({ property, message: 'Read tensors with await data()/array()/buffer(): synchronous reads fail on webgpu in Node.' })),
      ],
    },
  },
  {
    files: ['src-renderer/**/*.{ts,vue}'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/src-main/**', '!**/src-main/api/**'], message: 'The renderer sees only the contract (@api/contract).' }] },
      ],
    },
  },
  {
    // Backends are loaded lazily and may be absent (the native TensorFlow packages): require() at the point of use.
    files: ['src-main/core/compute/backend.ts'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // Starting TF.js's threaded WebAssembly reads its binary and writes its threads' script for them to load: backend
    // loading, like the require()s above, not science.
    files: ['src-main/core/compute/wasmThreads.ts'],
    rules: { 'no-restricted-imports': 'off', '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['scripts/**/*.mjs', 'bin/**/*.js', 'tests/**/*.{ts,mjs}'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', __dirname: 'readonly', require: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
)
