/**
 * SARIF 2.1.0 for GitHub code scanning and other SARIF viewers. GitHub keys alerts on ruleId and
 * partialFingerprints, so both are stable across runs and across edits that only move lines.
 */
import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Log, ReportingDescriptor, Result } from 'sarif';
import { formatPath } from '../../spec/doc-path.js';
import type { CheckResult, Finding, RuleMeta, Severity } from '../types.js';
import type { FormatOptions } from './index.js';
import { relativeToCwd, sortedResults, waiverText } from './shared.js';

const SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';
const INFORMATION_URI = 'https://github.com/shipshape-dev/shipshape';
const RULES_DOC = `${INFORMATION_URI}/blob/main/docs/rules.md`;
const SRCROOT = '%SRCROOT%';

const LEVELS: Record<Severity, Result.level> = { error: 'error', warn: 'warning', info: 'note' };

const pascalCase = (id: string): string =>
  id
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((word) => word[0]!.toUpperCase() + word.slice(1))
    .join('');

function descriptor(rule: RuleMeta): ReportingDescriptor {
  const helpUri = `${RULES_DOC}#${rule.id}`;
  return {
    id: rule.id,
    name: pascalCase(rule.id),
    shortDescription: { text: rule.description },
    fullDescription: { text: rule.rationale || rule.description },
    help: {
      text: `${rule.rationale}\n\nTry this: ${rule.hint}\n\n${helpUri}`,
      markdown: `${rule.rationale}\n\n**Try this.** ${rule.hint}\n\n[${rule.id} in docs/rules.md](${helpUri})`,
    },
    helpUri,
    defaultConfiguration: { level: LEVELS[rule.defaultSeverity] },
    properties: { tags: ['shipshape', `stage-${rule.stage}`], stage: rule.stage },
  };
}

/** A rule the engine reported but did not list (a policy requirement, say): enough for viewers to show it. */
function minimalDescriptor(finding: Finding): ReportingDescriptor {
  const helpUri = `${RULES_DOC}#${finding.ruleId}`;
  return {
    id: finding.ruleId,
    name: pascalCase(finding.ruleId),
    shortDescription: { text: finding.ruleId },
    helpUri,
    defaultConfiguration: { level: LEVELS[finding.severity] },
    properties: { tags: ['shipshape'] },
  };
}

/** Relative paths resolve against %SRCROOT%; a file outside cwd keeps an absolute file URL. */
function artifactLocation(file: string, cwd: string): { uri: string; uriBaseId?: string } {
  const rel = relativeToCwd(file, cwd);
  if (rel === undefined) return { uri: pathToFileURL(resolve(cwd, file)).href };
  return { uri: rel.split('/').map(encodeURIComponent).join('/'), uriBaseId: SRCROOT };
}

/** SARIF wants columns from 1 and an end not before the start; a range from a broken file may not be. */
function region(finding: Finding) {
  const startLine = Math.max(1, finding.range.line);
  const startColumn = Math.max(1, finding.range.column);
  const endLine = Math.max(startLine, finding.range.endLine);
  let endColumn = Math.max(1, finding.range.endColumn);
  if (endLine === startLine && endColumn < startColumn) endColumn = startColumn;
  return { startLine, startColumn, endLine, endColumn };
}

// The document path rather than the line: an alert should survive edits above it. The message
// stands in when there is no path (parse errors).
function fingerprintKey(finding: Finding): string {
  const where = finding.path ? formatPath(finding.path) : finding.message;
  return [finding.ruleId, finding.file, where].join('\u0000');
}

export function sarif(result: CheckResult, options: FormatOptions): string {
  const rules: ReportingDescriptor[] = [];
  const ruleIndex = new Map<string, number>();
  for (const rule of result.rules) {
    if (ruleIndex.has(rule.id)) continue;
    ruleIndex.set(rule.id, rules.length);
    rules.push(descriptor(rule));
  }

  const occurrences = new Map<string, number>();
  const results: Result[] = [];
  for (const file of sortedResults(result)) {
    for (const finding of file.findings) {
      let index = ruleIndex.get(finding.ruleId);
      if (index === undefined) {
        index = rules.length;
        ruleIndex.set(finding.ruleId, index);
        rules.push(minimalDescriptor(finding));
      }
      const key = fingerprintKey(finding);
      // Two findings with the same key must still get distinct fingerprints, as GitHub's own tools do.
      const occurrence = (occurrences.get(key) ?? 0) + 1;
      occurrences.set(key, occurrence);
      const hash = createHash('sha256').update(key).digest('hex').slice(0, 16);
      results.push({
        ruleId: finding.ruleId,
        ruleIndex: index,
        level: LEVELS[finding.severity],
        message: { text: finding.hint ? `${finding.message}\nTry this: ${finding.hint}` : finding.message },
        locations: [{ physicalLocation: { artifactLocation: artifactLocation(finding.file, options.cwd), region: region(finding) } }],
        partialFingerprints: { primaryLocationLineHash: `${hash}:${occurrence}` },
        ...(finding.exception
          ? {
              suppressions: [
                { kind: 'external', status: 'accepted', justification: `${waiverText(finding.exception)}; ${finding.exception.source}` },
              ],
            }
          : {}),
      });
    }
  }

  const unreadable = result.results.filter((file) => file.unreadable);
  const root = pathToFileURL(resolve(options.cwd)).href;
  const log: Log = {
    $schema: SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'shipshape',
            version: options.version,
            informationUri: INFORMATION_URI,
            rules,
          },
        },
        originalUriBaseIds: { [SRCROOT]: { uri: root.endsWith('/') ? root : `${root}/` } },
        invocations: [
          {
            executionSuccessful: unreadable.length === 0,
            ...(unreadable.length > 0
              ? {
                  toolExecutionNotifications: unreadable.map((file) => ({
                    level: 'error' as const,
                    message: { text: `Could not read ${file.file} as YAML.` },
                    locations: [{ physicalLocation: { artifactLocation: artifactLocation(file.file, options.cwd) } }],
                  })),
                }
              : {}),
          },
        ],
        columnKind: 'utf16CodeUnits',
        results,
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}
