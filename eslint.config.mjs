// @ts-check
// Lint rules for the whole tree: typescript-eslint's recommended set, once, for src, test, bench and the console.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', 'clients/generated/', 'test/generated/', 'test/artifacts/', 'data/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  { languageOptions: { globals: globals.node } },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  // The store console runs in the browser.
  { files: ['console/**/*.js'], languageOptions: { globals: globals.browser, sourceType: 'script' } },
  // CommonJS configuration and jest reporter files.
  {
    files: ['**/*.js', '**/*.cjs'],
    ignores: ['console/**'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
