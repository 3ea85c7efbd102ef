/**
 * oclif's `command_not_found` hook: an unknown command is bad usage (exit 2), said in the same
 * two lines as every other error (and as JSON under --json), with the closest command when it looks
 * like a typo; `help [command]` shows the help. Loaded only when a command is not found, so start-up
 * never pays for it.
 */
import { loadHelpClass } from '@oclif/core/help';
import type { Hook } from '@oclif/core/hooks';
import { ExitCode } from '../errors.js';
import { didYouMean } from '../spec/suggest.js';

const hook: Hook.CommandNotFound = async function (options) {
  const bin = options.config.bin;
  // `shipshape help [command]` is what people type first: it is `--help`.
  // With a space as the topic separator, oclif hands over `help check` as the id help:check.
  let [first = '', ...rest] = options.id.split(':');
  if (first === 'help') {
    const wanted = [...rest, ...(options.argv ?? [])];
    if (wanted.length === 0 || options.config.findCommand(wanted[0]!)) {
      const Help = await loadHelpClass(options.config);
      await new Help(options.config).showHelp(wanted);
      return;
    }
    // Help for a command that does not exist: the same error as running it, suggesting `help <closest>`.
    [first = '', ...rest] = wanted;
  }
  const json = options.argv?.includes('--json') ?? false;
  const ids = options.config.commands.filter((command) => !command.hidden).map((command) => command.id);
  const args = [...rest, ...(options.argv ?? [])].join(' ');
  let message: string;
  let hint: string;
  if (options.config.findCommand(first) && rest.length > 0) {
    // `status extra`: a real command given a word it does not take (oclif reads it as the id status:extra).
    const subcommands = ids.filter((id) => id.startsWith(`${first}:`)).map((id) => id.slice(first.length + 1));
    const suggestion = didYouMean(rest[0]!, subcommands);
    message =
      subcommands.length > 0
        ? `${rest[0]} is not a ${bin} ${first} subcommand${suggestion ? `: did you mean ${suggestion}?` : ` (${subcommands.join(', ')})`}`
        : `${bin} ${first} takes no arguments, and was given ${rest.join(' ')}`;
    hint = `\`${bin} ${first} --help\` shows what it takes.`;
  } else {
    const suggestion = didYouMean(first, ids);
    message = `${first} is not a ${bin} command${suggestion ? `: did you mean ${suggestion}?` : ''}`;
    hint = `${suggestion ? `\`${bin} ${suggestion}${args ? ` ${args}` : ''}\`, or ` : ''}\`${bin} --help\` for the list of commands.`;
  }
  if (json) process.stdout.write(`${JSON.stringify({ error: { message, hint } }, null, 2)}\n`);
  process.stderr.write(`Error: ${message}\nTry this: ${hint}\n`);
  this.exit(ExitCode.usage);
};

export default hook;
