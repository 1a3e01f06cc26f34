/**
 * Audit results as JUnit XML, the format CI dashboards (GitLab, Jenkins, Azure DevOps, GitHub
 * test reporters) show as test results: one test suite per file, one test case per audited
 * object. An object with findings at or above the failing level fails (one `<failure>` listing
 * them); findings below it go to the case's `<system-out>`; skipped input is a skipped case, and
 * input that could not be read is an `<error>`.
 */
import { InputNote, isInputError } from './input/notes';
import { describeRef } from './model';
import { fieldLine, ReportInput } from './report';
import { ruleDocUrl, TOOL_NAME } from './package-info';
import { Finding, ObjectRef, Severity } from './types';

/** The objects of the audit, with their file, for cases without findings. */
export interface AuditedObject {
  readonly ref: ObjectRef;
  readonly file: string;
  readonly inputIndex: number;
}

export interface JUnitInput extends ReportInput {
  /** Every audited object, in input order. */
  readonly objects: readonly AuditedObject[];
  /** The lowest severity that fails. @default 'error' */
  readonly failOn?: Severity;
}

function escape(text: string): string {
  // XML 1.0 cannot carry most control characters at all, even escaped.
  return text
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '\ufffd')
    .replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function findingText(f: Finding): string {
  const line = fieldLine(f);
  return `${f.severity} ${f.ruleId} at ${f.path || '(object)'}${line !== undefined ? ` (line ${line})` : ''}: ${f.message}. Fix: ${f.fix}${f.assumption ? ` Assumes ${f.assumption}.` : ''} Docs: ${ruleDocUrl(f.ruleId)}`;
}

interface Suite {
  readonly name: string;
  readonly cases: string[];
  tests: number;
  failures: number;
  errors: number;
  skipped: number;
}

export function formatJUnit(r: JUnitInput): string {
  return [...junitChunks(r)].join('');
}

/** The JUnit report in pieces (one per test case). */
export function* junitChunks(r: JUnitInput): Generator<string> {
  const failOn = r.failOn ?? 'error';
  const fails = (f: Finding) => f.severity === 'error' || failOn === 'warning';
  const suites = new Map<string, Suite>();
  const suite = (file: string): Suite => {
    let s = suites.get(file);
    if (!s) {
      s = { name: file, cases: [], tests: 0, failures: 0, errors: 0, skipped: 0 };
      suites.set(file, s);
    }
    return s;
  };
  const byObject = new Map<number, Finding[]>();
  for (const f of r.findings) {
    const list = byObject.get(f.inputIndex);
    if (list) list.push(f);
    else byObject.set(f.inputIndex, [f]);
  }
  for (const o of r.objects) {
    const s = suite(o.file);
    s.tests++;
    const findings = byObject.get(o.inputIndex) ?? [];
    const failing = findings.filter(fails);
    const other = findings.filter((f) => !fails(f));
    const name = escape(describeRef(o.ref));
    let body = '';
    if (failing.length > 0) {
      s.failures++;
      body += `<failure message="${escape(`${failing.length} finding${failing.length === 1 ? '' : 's'}: ${[...new Set(failing.map((f) => f.ruleId))].join(', ')}`)}" type="${failing.some((f) => f.severity === 'error') ? 'error' : 'warning'}">${escape(failing.map(findingText).join('\n'))}</failure>`;
    }
    if (other.length > 0) body += `<system-out>${escape(other.map(findingText).join('\n'))}</system-out>`;
    s.cases.push(`    <testcase name="${name}" classname="${escape(o.file)}">${body}</testcase>`);
  }
  for (const n of r.notes ?? []) {
    const s = suite(n.file);
    s.tests++;
    const text = escape(`${n.line !== undefined ? `line ${n.line}: ` : ''}${n.message}${n.hint ? `. ${n.hint}` : ''}`);
    if (isInputError(n)) {
      s.errors++;
      s.cases.push(`    <testcase name="${escape(noteCaseName(n))}" classname="${escape(n.file)}"><error message="${text}" type="${n.kind}"/></testcase>`);
    } else {
      s.skipped++;
      s.cases.push(`    <testcase name="${escape(noteCaseName(n))}" classname="${escape(n.file)}"><skipped message="${text}"/></testcase>`);
    }
  }
  const all = [...suites.values()];
  const total = (key: 'tests' | 'failures' | 'errors' | 'skipped') => all.reduce((n, s) => n + s[key], 0);
  yield '<?xml version="1.0" encoding="UTF-8"?>\n';
  yield `<testsuites name="${TOOL_NAME} audit" tests="${total('tests')}" failures="${total('failures')}" errors="${total('errors')}" skipped="${total('skipped')}">\n`;
  for (const s of all) {
    yield `  <testsuite name="${escape(s.name)}" tests="${s.tests}" failures="${s.failures}" errors="${s.errors}" skipped="${s.skipped}">\n`;
    for (const line of s.cases) yield `${line}\n`;
    yield '  </testsuite>\n';
  }
  yield '</testsuites>\n';
}

function noteCaseName(n: InputNote): string {
  return `${n.kind}${n.line !== undefined ? ` at line ${n.line}` : ''}`;
}
