#!/usr/bin/env node
/**
 * Writes docs/rules.md from the rule table (src/rules/catalogue.ts, compiled to lib/).
 *
 *   node scripts/gen-rules-doc.js           write docs/rules.md
 *   node scripts/gen-rules-doc.js --check   exit 1 if docs/rules.md is out of date
 *
 * Run `npm run build` first (`npm run docs:rules` does both).
 */
'use strict';

const fs = require('fs');
const path = require('path');

const ROOT = path.resolve(__dirname, '..');
const TARGET = path.join(ROOT, 'docs', 'rules.md');

let render;
try {
  ({ renderRulesMarkdown: render } = require(path.join(ROOT, 'lib', 'src', 'rules', 'doc.js')));
} catch (e) {
  process.stderr.write(`gen-rules-doc: cannot load lib/src/rules/doc.js (${e.message}); run npm run build first\n`);
  process.exit(2);
}

const text = render();
if (process.argv.includes('--check')) {
  const current = fs.existsSync(TARGET) ? fs.readFileSync(TARGET, 'utf8') : '';
  if (current !== text) {
    process.stderr.write('docs/rules.md is out of date: run npm run docs:rules\n');
    process.exit(1);
  }
  process.stdout.write('docs/rules.md is up to date\n');
} else {
  fs.mkdirSync(path.dirname(TARGET), { recursive: true });
  fs.writeFileSync(TARGET, text);
  process.stdout.write(`wrote ${path.relative(process.cwd(), TARGET) || TARGET}\n`);
}
