import { compareVersions, parseVersion } from '../../text/semver.js';
import { MANIFEST_FILE } from '../../state/manifest.js';
import { defineRule } from './util.js';
import type { RuleReport } from '../types.js';

export const templatePack = defineRule({
  id: 'template-pack',
  description: 'The project was generated from the template pack its policy requires (`template.pack`), at `template.minVersion` or later.',
  defaultSeverity: 'error',
  stage: 3,
  rationale:
    'A tech lead keeps services on one template pack so that a fix to the pack (a safer retry, a new alert, a patched dependency) reaches every service by regeneration. A project on another pack, or on a version from before the fix, is where that fix silently does not arrive. The rule applies only under a policy with a `template` section.',
  hint: 'Run `shipshape generate --upgrade` to move the project to the latest version of its pack, or ask the policy owner for a dated exception to template-pack.',
  examples: {
    pass: `# shipshape.policy.yaml
template: { pack: service-ts, minVersion: 1.4.0 }
# .shipshape/manifest.json
{ "pack": { "name": "service-ts", "version": "1.6.2" }, "files": {} }`,
    fail: `# shipshape.policy.yaml
template: { pack: service-ts, minVersion: 1.4.0 }
# .shipshape/manifest.json
{ "pack": { "name": "service-ts", "version": "1.3.9" }, "files": {} }`,
  },
  messages: {
    notGenerated:
      '{{policy}} requires the project to be generated from {{required}}, but it has not been generated: there is no {{manifest}}',
    unreadable: '{{manifest}} {{error}}; which pack generated the project cannot be told',
    otherPack: 'the project was generated from the pack {{name}}, but {{policy}} requires {{pack}}',
    noPack: '{{manifest}} names no pack, but {{policy}} requires {{pack}}',
    badVersion:
      '{{manifest}} records the pack version {{version}}, not a version x.y.z, so it cannot be held to the minimum {{minVersion}} of {{policy}}',
    tooOld: 'the project was generated from {{generated}}{{version}}, but {{policy}} requires {{minVersion}} or later',
  },
  check({ project, template }) {
    if (!project || !template) return [];
    const { pack, minVersion, sources } = template;
    const required = [pack ?? 'its pack', ...(minVersion ? [`${minVersion} or later`] : [])].join(' ');
    // The file that set the part of the requirement a report is about.
    const policy = (key: 'pack' | 'minVersion') => `the policy (${sources[key] ?? sources.pack ?? sources.minVersion})`;
    const read = project.manifest();
    if (!read.found) {
      return [
        {
          path: [],
          messageId: 'notGenerated',
          data: { policy: policy(pack ? 'pack' : 'minVersion'), required, manifest: MANIFEST_FILE },
          hint: `Run \`shipshape generate\`${pack ? ` with the pack ${pack}` : ''}.`,
        },
      ];
    }
    if ('error' in read) {
      return [
        {
          path: [],
          file: MANIFEST_FILE,
          messageId: 'unreadable',
          data: { manifest: MANIFEST_FILE, error: read.error },
          hint: 'Restore it from version control, or run `shipshape generate` to write it again.',
        },
      ];
    }
    const { name, version } = read.manifest.pack;
    const reports: RuleReport[] = [];
    if (pack !== undefined && name !== pack) {
      reports.push({
        path: [],
        file: MANIFEST_FILE,
        ...(name
          ? { messageId: 'otherPack' as const, data: { name, policy: policy('pack'), pack } }
          : { messageId: 'noPack' as const, data: { manifest: MANIFEST_FILE, policy: policy('pack'), pack } }),
        hint: `Generate the project from ${pack} with \`shipshape generate\`, or ask the policy owner for a dated exception to template-pack.`,
      });
      // Another pack's version numbers say nothing about this one's.
      return reports;
    }
    if (minVersion !== undefined) {
      const minimum = parseVersion(minVersion);
      const actual = parseVersion(version);
      const generated = name ? `${name} ` : '';
      if (!actual) {
        reports.push({
          path: [],
          file: MANIFEST_FILE,
          messageId: 'badVersion',
          data: { manifest: MANIFEST_FILE, version: JSON.stringify(version), minVersion, policy: policy('minVersion') },
        });
      } else if (minimum && compareVersions(actual, minimum) < 0) {
        reports.push({
          path: [],
          file: MANIFEST_FILE,
          messageId: 'tooOld',
          data: { generated, version, policy: policy('minVersion'), minVersion },
        });
      }
    }
    return reports;
  },
});
