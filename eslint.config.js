// ESLint flat config: TypeScript-aware recommended rules for every source folder, and the layer order of the imports.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';

/**
 * The layers, lowest first; imports only point down: core <- engine, analysis <- session <- workers <- ui, and
 * session <- cli (the CLI drives the session in-process, never the worker plumbing), with the scan readers (formats) beside core. `forbidden` lists the folders (and packages) a layer must not import. The UI
 * reaches the layers below the worker only through workers/api.ts (types, and pure vocabulary it re-exports), so tfjs
 * never lands on the main thread.
 */
const LAYERS = [
  { name: 'core', files: 'src/core', forbidden: ['formats', 'engine', 'analysis', 'session', 'workers', 'ui', 'cli'], packages: ['@tensorflow/*', 'react', 'react-dom', '@niivue/*', 'zustand', 'comlink'] },
  { name: 'formats', files: 'src/formats', forbidden: ['engine', 'analysis', 'session', 'workers', 'ui', 'cli'], packages: ['@tensorflow/*', 'react', 'react-dom', 'zustand', 'comlink'] },
  { name: 'engine', files: 'src/engine', forbidden: ['analysis', 'session', 'workers', 'ui', 'cli'], packages: ['react', 'react-dom', '@niivue/*', 'zustand'] },
  { name: 'analysis', files: 'src/analysis', forbidden: ['engine', 'session', 'workers', 'ui', 'cli'], packages: ['@tensorflow/*', 'react', 'react-dom', '@niivue/*', 'zustand'] },
  { name: 'session', files: 'src/session', forbidden: ['workers', 'ui', 'cli'], packages: ['react', 'react-dom', '@niivue/*', 'zustand'] },
  { name: 'workers', files: 'workers', forbidden: ['ui', 'cli'], packages: ['react', 'react-dom', '@niivue/*', 'zustand'] },
  { name: 'ui', files: 'src/ui', forbidden: ['engine', 'analysis', 'session', 'cli'], packages: ['@tensorflow/*'] },
  { name: 'cli', files: 'src/cli', forbidden: ['workers', 'ui'], packages: ['react', 'react-dom', '@niivue/*', 'zustand'] },
];

const layerRules = LAYERS.map((layer) => ({
  files: [`${layer.files}/**/*.{ts,tsx}`],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          ...layer.forbidden.map((folder) => ({
            group: [`**/${folder}/**`],
            message: `${layer.name} may not import ${folder}/ (layers: core <- engine, analysis <- session <- workers <- ui, and session <- cli; the UI goes through workers/api.ts): move the shared code down, or import it through the layer in between.`,
          })),
          { group: layer.packages, message: `${layer.name} must not depend on this package (see the layer list in eslint.config.js).` },
        ],
      },
    ],
  },
}));

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'test-results/', 'playwright-report/', 'e2e-artifacts/', 'public/', '.helpers/', '**/*.as.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  ...layerRules,
  {
    files: ['bin/**/*.mjs', 'scripts/**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
);
