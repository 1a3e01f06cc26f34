import * as fs from 'fs';
import * as path from 'path';
import { RULES } from '../../src/rules';
import { renderRulesMarkdown } from '../../src/rules/doc';

const DOC = path.resolve(__dirname, '..', '..', 'docs', 'rules.md');

test('docs/rules.md is generated from the rule table (run `npm run docs:rules` after changing a rule)', () => {
  expect(fs.readFileSync(DOC, 'utf8')).toBe(renderRulesMarkdown());
});

test('every rule has a section and a row in the table', () => {
  const text = renderRulesMarkdown();
  for (const rule of RULES) {
    expect(text).toContain(`\n### ${rule.id}\n`);
    expect(text).toContain(`| [\`${rule.id}\`](#${rule.id}) | ${rule.severity} |`);
  }
});

test('rule ids are stable slugs that fit in an annotation key', () => {
  for (const rule of RULES) {
    expect(rule.id).toMatch(/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/);
    // resilient.cdk8s.io/suppress.<id>: the name part of a key is at most 63 characters.
    expect(`suppress.${rule.id}`.length).toBeLessThanOrEqual(63);
  }
});
