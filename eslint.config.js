import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', 'test-results/', 'oclif.manifest.json', 'test/fixtures/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly' } },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/commands/**', 'src/ui/**', 'src/cli/**'],
    rules: {
      // The core takes options and returns data: no terminal libraries (DESIGN.md, "Layout").
      'no-restricted-imports': ['error', { paths: ['@oclif/core', 'chalk', 'listr2', '@inquirer/prompts'], patterns: ['@inquirer/*'] }],
    },
  },
);
