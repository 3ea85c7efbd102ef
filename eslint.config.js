import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// Every read goes through src/fs/read.ts (regular files only, a hard byte cap) and every write
// through src/fs/atomic.ts (temp, fsync, rename, all or nothing): node:fs's own readers and
// writers are off limits anywhere else in src/. test/lint/walls.test.ts trips this wall too.
const FS_READ_WRITE = [
  'readFile',
  'readFileSync',
  'createReadStream',
  'open',
  'openSync',
  'writeFile',
  'writeFileSync',
  'createWriteStream',
  'appendFile',
  'appendFileSync',
  'copyFile',
  'copyFileSync',
  'cp',
  'cpSync',
  'rename',
  'renameSync',
  'truncate',
  'truncateSync',
  'promises',
  'default',
];
const FS_PATHS = ['fs', 'node:fs', 'fs/promises', 'node:fs/promises'].map((name) => ({
  name,
  importNames: FS_READ_WRITE,
  message: 'Read through src/fs/read.ts and write through src/fs/atomic.ts: they bound reads and make writes all or nothing.',
}));

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
          paths: FS_PATHS,
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
  {
    // The terminal rooms read and write files through the same two doors as the core.
    files: ['src/commands/**/*.ts', 'src/ui/**/*.ts', 'src/cli/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: FS_PATHS }] },
  },
  {
    // The two doors themselves.
    files: ['src/fs/**/*.ts'],
    rules: {
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
    },
  },
);
