// Lint the TypeScript sources and tests; fixtures are user-style code on purpose.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const CORE_LAYERS = ['model', 'lambda', 'handlers', 'config', 'runtime', 'deployed', 'endpoint'];
/** Import patterns for every core layer but the named ones, plus the session on top of them all. */
const coreExcept = (...allowed) => [...CORE_LAYERS.filter((name) => !allowed.includes(name)).map((name) => `**/${name}/*`), '**/core/session', '**/core/events'];
/** The host side of the local engine: code that runs inside the user's process never imports it. */
const HOST_SIDE = ['**/local-environment', '**/child-environment', '**/environment-pool', '**/prepare-handler', '**/child-locator', '**/orphan-reaper', '**/output-collector', '**/local-secrets', '**/child-messages', '**/process-group'];
const layer = (files, forbidden) => ({
  files: [files],
  rules: { 'no-restricted-imports': ['error', { patterns: [{ group: forbidden, message: 'This import crosses a layer boundary (docs/architecture.md).' }] }] },
});

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', 'test/fixtures/**', 'test/oracle/fixtures/**', 'examples/**', '.cache/**', '.vscode-test/**', 'test-artifacts/**', '*.vsix'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': 'off',
    },
  },
  // Layers (docs/architecture.md): each may import only the layers below it. The engine never
  // depends on the editor, the child never on the host, the webview only on pure model code.
  layer('src/core/**/*.ts', ['vscode']),
  layer('src/core/model/**/*.ts', ['vscode', ...coreExcept('model')]),
  layer('src/core/lambda/**/*.ts', ['vscode', ...coreExcept('model', 'lambda')]),
  layer('src/core/handlers/**/*.ts', ['vscode', ...coreExcept('model', 'lambda', 'handlers')]),
  layer('src/core/config/**/*.ts', ['vscode', ...coreExcept('model', 'lambda', 'handlers', 'config')]),
  layer('src/core/runtime/**/*.ts', ['vscode', ...coreExcept('model', 'lambda', 'handlers', 'config', 'runtime')]),
  layer('src/core/runtime/child/**/*.ts', ['vscode', ...coreExcept('model', 'lambda', 'runtime'), ...HOST_SIDE]),
  layer('src/core/runtime/instrument/**/*.ts', ['vscode', ...coreExcept('model', 'lambda', 'runtime'), ...HOST_SIDE]),
  layer('src/core/deployed/**/*.ts', ['vscode', ...coreExcept('model', 'lambda', 'runtime', 'deployed')]),
  layer('src/core/endpoint/**/*.ts', ['vscode', ...coreExcept('model', 'lambda', 'runtime', 'endpoint')]),
  layer('src/cli/**/*.ts', ['vscode']),
  layer('src/webview-protocol/**/*.ts', ['vscode', ...coreExcept('model')]),
  layer('media/src/**/*.ts', ['vscode', ...coreExcept('model'), '**/vscode/*', '**/cli/*']),
  {
    // CommonJS scripts run by plain node.
    files: ['scripts/**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', module: 'writable', process: 'readonly', console: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['scripts/**/*.mjs', 'eslint.config.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly' } },
  },
);
