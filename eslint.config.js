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
    // bin/run.js is CommonJS (bin/package.json): a start without the ESM loader.
    files: ['bin/*.js'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/commands/**', 'src/ui/**', 'src/cli/**'],
    rules: {
      // The core takes options and returns data (DESIGN.md, "Layout"): it imports no command, no
      // terminal code and no terminal library, by any path. test/lint/walls.test.ts trips each.
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@oclif/*', '@oclif/*/**', 'chalk', 'chalk/**', 'listr2', 'listr2/**', '@inquirer/*', '@inquirer/*/**'],
              message: 'The core returns data; only src/commands, src/cli and src/ui talk to the terminal.',
            },
            {
              group: ['**/commands', '**/commands/**', '**/ui', '**/ui/**', '**/cli', '**/cli/**'],
              message: 'The core never imports commands, the CLI layer or the UI: they import the core.',
            },
          ],
        },
      ],
      // The same walls for the lazy imports the core uses to keep start-up fast.
      'no-restricted-syntax': [
        'error',
        {
          selector: String.raw`ImportExpression[source.value=/^(@oclif|chalk|listr2|@inquirer)(\/|$)|(^|\/)(commands|ui|cli)(\/|$)/]`,
          message: 'The core never imports commands, the CLI layer, the UI or a terminal library.',
        },
      ],
    },
  },
);
