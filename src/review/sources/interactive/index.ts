/**
 * Actuals typed in by a person: one question per value, an empty answer for "not measured". The
 * asking itself is injected (src/ui/review-prompts.ts on a terminal): the core never prompts.
 */
import { BugError } from '../../../errors.js';
import { setActual, type Actuals } from '../../actuals.js';
import type { MetricSource } from '../types.js';

export const interactiveSource: MetricSource = {
  kind: 'interactive',
  describe: () => 'entered by hand',
  async read({ queries, ask }) {
    if (!ask) throw new BugError('the interactive metric source needs a way to ask');
    const actuals: Actuals = {};
    for (const query of queries) setActual(actuals, query.path, await ask({ message: query.label }));
    return actuals;
  },
};
