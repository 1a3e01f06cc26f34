#!/usr/bin/env node
/**
 * Offline `cdk8s import k8s` for Kubernetes 1.27.
 *
 * The project does not commit a generated k8s.ts: imports/k8s.ts re-exports the module that
 * cdk8s-plus-27 ships (see imports/README.md). This script exists so that choice stays checkable
 * without network access. It runs cdk8s-cli's own importer (ImportKubernetesApi), but the one
 * network call the importer makes -- fetching `_definitions.json` -- is redirected to a local file.
 *
 *   node scripts/import-k8s.js [--out DIR] [--definitions PATH]
 *       write the generated k8s.ts into DIR (default: a fresh temp dir, never imports/)
 *   node scripts/import-k8s.js --check [--definitions PATH] [--keep]
 *       generate into a temp dir and compare its API surface with
 *       node_modules/cdk8s-plus-27/lib/imports/k8s.d.ts; exit 1 on a difference that matters
 *
 * Exit codes: 0 ok, 1 --check found differences, 2 definitions file missing, 3 usage/internal error.
 */
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');

const REPO_ROOT = path.resolve(__dirname, '..');
const DEFAULT_DEFINITIONS = path.resolve(REPO_ROOT, '../shared/k8s/v1.27.0/_definitions.json');
const DEFAULT_K8S_VERSION = '1.27.0';

function usage() {
  return [
    'usage: node scripts/import-k8s.js [--out DIR | --check [--keep]] [--definitions PATH] [--force]',
    '',
    '  --out DIR           directory to write k8s.ts into (default: a new temp directory)',
    '  --check             generate into a temp dir and compare with cdk8s-plus-27/lib/imports/k8s.d.ts',
    `  --definitions PATH  Kubernetes _definitions.json (default: ${path.relative(process.cwd(), DEFAULT_DEFINITIONS) || DEFAULT_DEFINITIONS})`,
    '  --keep              with --check: keep the temp dir and print its path',
    '  --force             allow --out imports/ (which would replace the re-export in imports/k8s.ts)',
  ].join('\n');
}

function parseArgs(argv) {
  const opts = { out: undefined, check: false, keep: false, definitions: DEFAULT_DEFINITIONS };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new UsageError(`${arg} needs a value`);
      return v;
    };
    switch (arg) {
      case '--out': opts.out = path.resolve(value()); break;
      case '--definitions': opts.definitions = path.resolve(value()); break;
      case '--check': opts.check = true; break;
      case '--keep': opts.keep = true; break;
      case '--force': opts.force = true; break;
      case '-h': case '--help': opts.help = true; break;
      default: throw new UsageError(`unknown argument: ${arg}`);
    }
  }
  if (opts.check && opts.out) throw new UsageError('--check always generates into a temp dir; drop --out');
  return opts;
}

class UsageError extends Error {}

/** Resolves a file inside cdk8s-cli by path: its package.json "exports" hides lib/ from require(). */
function cdk8sCliFile(rel) {
  const pkgJson = require.resolve('cdk8s-cli/package.json', { paths: [REPO_ROOT] });
  return path.join(path.dirname(pkgJson), rel);
}

/**
 * Runs cdk8s-cli's k8s importer with its download redirected to `definitionsFile`.
 * lib/import/k8s.js calls `util_1.download(url)` through the module object at call time, so
 * replacing the `download` export of lib/util.js (the same cached module instance) is enough.
 */
async function generate(definitionsFile, outdir) {
  const util = require(cdk8sCliFile('lib/util.js'));
  const originalDownload = util.download;
  const requested = [];
  util.download = async (url) => {
    requested.push(url);
    if (/\/_definitions\.json$/.test(url)) {
      return fs.promises.readFile(definitionsFile, 'utf-8');
    }
    throw new Error(`import-k8s runs offline and will not fetch ${url}`);
  };
  try {
    const { ImportKubernetesApi } = require(cdk8sCliFile('lib/import/k8s.js'));
    const { Language } = require(cdk8sCliFile('lib/import/base.js'));
    const versionMatch = /v(\d+\.\d+\.\d+)/.exec(definitionsFile);
    const importer = new ImportKubernetesApi({ apiVersion: versionMatch ? versionMatch[1] : DEFAULT_K8S_VERSION });
    // ImportBase.import() prints each module name on stdout; keep our own output readable.
    const log = console.log;
    console.log = () => undefined;
    try {
      await importer.import({ outdir, targetLanguage: Language.TYPESCRIPT });
    } finally {
      console.log = log;
    }
  } finally {
    util.download = originalDownload;
  }
  if (requested.length !== 1) {
    throw new Error(`expected the importer to request exactly one schema, saw: ${requested.join(', ') || 'none'}`);
  }
  const file = path.join(outdir, 'k8s.ts');
  if (!fs.existsSync(file)) throw new Error(`importer finished but ${file} was not written`);
  return file;
}

// ---------------------------------------------------------------------------------------------
// API surface comparison (TypeScript compiler API, so formatting and comments do not matter)
// ---------------------------------------------------------------------------------------------

function loadTypeScript() {
  return require(require.resolve('typescript', { paths: [REPO_ROOT] }));
}

/** Normalises a type's source text: whitespace, `;`/`,` separators and `readonly` are layout only. */
function normType(text) {
  return text.replace(/\breadonly\s+/g, '').replace(/[\s;,]+/g, '');
}

/**
 * Collects what a consumer of the module can see: classes (with static GVK when it is written as
 * an object literal), interfaces with their members, enums with members, exported functions.
 */
function surface(ts, file) {
  const src = ts.createSourceFile(file, fs.readFileSync(file, 'utf-8'), ts.ScriptTarget.Latest, true);
  const isExported = (node) => (ts.getCombinedModifierFlags(node) & ts.ModifierFlags.Export) !== 0;
  const out = { classes: new Map(), interfaces: new Map(), enums: new Map(), functions: new Set() };
  for (const stmt of src.statements) {
    if (!isExported(stmt)) continue;
    if (ts.isClassDeclaration(stmt) && stmt.name) {
      const members = new Set();
      let gvk;
      for (const m of stmt.members) {
        if (ts.isConstructorDeclaration(m)) {
          // `constructor(public readonly value: ...)` declares a member too (d.ts lists it as a property)
          for (const p of m.parameters) {
            const flags = ts.getCombinedModifierFlags(p);
            const declaresMember = ts.isParameterPropertyDeclaration(p, m);
            if (declaresMember && (flags & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)) === 0) members.add(p.name.getText(src));
          }
          continue;
        }
        if (!m.name) continue;
        const isPrivate = (ts.getCombinedModifierFlags(m) & ts.ModifierFlags.Private) !== 0;
        if (isPrivate) continue;
        const isStatic = (ts.getCombinedModifierFlags(m) & ts.ModifierFlags.Static) !== 0;
        const name = m.name.getText(src);
        members.add(`${isStatic ? 'static ' : ''}${name}`);
        if (name === 'GVK' && m.initializer && ts.isObjectLiteralExpression(m.initializer)) {
          gvk = {};
          for (const p of m.initializer.properties) {
            if (ts.isPropertyAssignment(p) && ts.isStringLiteral(p.initializer)) gvk[p.name.getText(src)] = p.initializer.text;
          }
        }
      }
      out.classes.set(stmt.name.text, { members, gvk });
    } else if (ts.isInterfaceDeclaration(stmt)) {
      const props = new Map();
      for (const m of stmt.members) {
        if (!ts.isPropertySignature(m) || !m.name) continue;
        props.set(m.name.getText(src).replace(/^['"]|['"]$/g, ''), {
          optional: !!m.questionToken,
          type: m.type ? normType(m.type.getText(src)) : 'any',
        });
      }
      out.interfaces.set(stmt.name.text, props);
    } else if (ts.isEnumDeclaration(stmt)) {
      out.enums.set(stmt.name.text, stmt.members.map((m) => `${m.name.getText(src)}=${m.initializer ? m.initializer.getText(src) : ''}`));
    } else if (ts.isFunctionDeclaration(stmt) && stmt.name) {
      out.functions.add(stmt.name.text);
    }
  }
  return out;
}

function setDiff(a, b) {
  return [...a].filter((x) => !b.has(x)).sort();
}

/**
 * Compares the freshly generated module (`gen`) with the shipped declarations (`ref`).
 * Returns { problems, notes }: problems make --check fail, notes are informational.
 */
function compare(gen, ref, refRuntime) {
  const problems = [];
  const notes = [];
  const genClasses = new Set(gen.classes.keys());
  const refClasses = new Set(ref.classes.keys());
  for (const c of setDiff(genClasses, refClasses)) problems.push(`class ${c}: generated from the definitions but missing in cdk8s-plus-27`);
  for (const c of setDiff(refClasses, genClasses)) problems.push(`class ${c}: exported by cdk8s-plus-27 but not generated from the definitions`);
  for (const [name, g] of gen.classes) {
    const r = ref.classes.get(name);
    if (!r) continue;
    for (const m of setDiff(g.members, r.members)) problems.push(`class ${name}: member ${m} only in the generated module`);
    for (const m of setDiff(r.members, g.members)) problems.push(`class ${name}: member ${m} only in cdk8s-plus-27`);
    const rt = refRuntime && refRuntime[name] && refRuntime[name].GVK;
    if (g.gvk && rt && (g.gvk.apiVersion !== rt.apiVersion || g.gvk.kind !== rt.kind)) {
      problems.push(`class ${name}: GVK ${g.gvk.apiVersion}/${g.gvk.kind} generated vs ${rt.apiVersion}/${rt.kind} in cdk8s-plus-27`);
    }
  }

  const genIfaces = new Set(gen.interfaces.keys());
  const refIfaces = new Set(ref.interfaces.keys());
  for (const i of setDiff(genIfaces, refIfaces)) problems.push(`interface ${i}: only in the generated module`);
  for (const i of setDiff(refIfaces, genIfaces)) problems.push(`interface ${i}: only in cdk8s-plus-27`);
  for (const [name, gp] of gen.interfaces) {
    const rp = ref.interfaces.get(name);
    if (!rp) continue;
    for (const p of setDiff(new Set(gp.keys()), new Set(rp.keys()))) problems.push(`interface ${name}: property ${p} only in the generated module`);
    for (const p of setDiff(new Set(rp.keys()), new Set(gp.keys()))) problems.push(`interface ${name}: property ${p} only in cdk8s-plus-27`);
    for (const [p, g] of gp) {
      const r = rp.get(p);
      if (!r) continue;
      if (g.optional !== r.optional) problems.push(`interface ${name}.${p}: ${g.optional ? 'optional' : 'required'} when generated, ${r.optional ? 'optional' : 'required'} in cdk8s-plus-27`);
      if (g.type !== r.type) problems.push(`interface ${name}.${p}: type ${g.type} generated vs ${r.type} in cdk8s-plus-27`);
    }
  }

  for (const e of setDiff(new Set(gen.enums.keys()), new Set(ref.enums.keys()))) problems.push(`enum ${e}: only in the generated module`);
  for (const e of setDiff(new Set(ref.enums.keys()), new Set(gen.enums.keys()))) problems.push(`enum ${e}: only in cdk8s-plus-27`);
  for (const [name, gm] of gen.enums) {
    const rm = ref.enums.get(name);
    if (rm && gm.join('|') !== rm.join('|')) problems.push(`enum ${name}: members differ (${gm.join(', ')} vs ${rm.join(', ')})`);
  }

  // toJson_* helpers are exported implementation details; report, but they do not fail the check
  // unless a props interface is affected (which the interface comparison above already catches).
  const fnOnlyGen = setDiff(gen.functions, ref.functions);
  const fnOnlyRef = setDiff(ref.functions, gen.functions);
  if (fnOnlyGen.length || fnOnlyRef.length) {
    notes.push(`exported functions differ: ${fnOnlyGen.length} only generated (${fnOnlyGen.slice(0, 5).join(', ')}), ${fnOnlyRef.length} only in cdk8s-plus-27 (${fnOnlyRef.slice(0, 5).join(', ')})`);
  }
  return { problems, notes };
}

async function check(definitionsFile, keep) {
  const ts = loadTypeScript();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-import-k8s-'));
  try {
    const generated = await generate(definitionsFile, tmp);
    const refDts = require.resolve('cdk8s-plus-27/lib/imports/k8s.d.ts', { paths: [REPO_ROOT] });
    let refRuntime;
    try {
      refRuntime = require(require.resolve('cdk8s-plus-27/lib/imports/k8s', { paths: [REPO_ROOT] }));
    } catch (e) {
      refRuntime = undefined; // GVK values are then not compared; names and shapes still are
    }
    const gen = surface(ts, generated);
    const ref = surface(ts, refDts);
    const { problems, notes } = compare(gen, ref, refRuntime);

    const propsIfaces = (s) => [...s.interfaces.keys()].filter((n) => /^Kube.*Props$/.test(n)).length;
    console.log('import-k8s --check');
    console.log(`  definitions: ${definitionsFile}`);
    console.log(`  generated:   ${generated} (${fs.readFileSync(generated, 'utf-8').split('\n').length} lines)`);
    console.log(`  reference:   ${path.relative(REPO_ROOT, refDts)}`);
    console.log(`  classes:     ${gen.classes.size} generated, ${ref.classes.size} in cdk8s-plus-27`);
    console.log(`  Kube*Props:  ${propsIfaces(gen)} generated, ${propsIfaces(ref)} in cdk8s-plus-27`);
    console.log(`  interfaces:  ${gen.interfaces.size} generated, ${ref.interfaces.size} in cdk8s-plus-27 (property names, optionality and types compared)`);
    console.log(`  enums:       ${gen.enums.size} generated, ${ref.enums.size} in cdk8s-plus-27`);
    for (const n of notes) console.log(`  note: ${n}`);
    if (problems.length === 0) {
      console.log('  result: SAME API surface -- re-exporting cdk8s-plus-27/lib/imports/k8s is equivalent to importing k8s@1.27');
      return 0;
    }
    console.log(`  result: ${problems.length} difference(s):`);
    for (const p of problems) console.log(`    - ${p}`);
    return 1;
  } finally {
    if (keep) console.log(`  kept: ${tmp}`);
    else fs.rmSync(tmp, { recursive: true, force: true });
  }
}

async function main() {
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`import-k8s: ${e.message}\n\n${usage()}`);
      return 3;
    }
    throw e;
  }
  if (opts.help) {
    console.log(usage());
    return 0;
  }
  if (!fs.existsSync(opts.definitions)) {
    console.error(`import-k8s: Kubernetes definitions not found: ${opts.definitions}`);
    console.error('  `cdk8s import k8s` would download them, but this script works offline only.');
    console.error('  Point --definitions at a local copy of kubernetes-schemas/v1.27.0/_definitions.json.');
    return 2;
  }
  if (opts.check) return check(opts.definitions, opts.keep);

  const outdir = opts.out || fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-import-k8s-'));
  if (path.resolve(outdir) === path.join(REPO_ROOT, 'imports') && !opts.force) {
    console.error('import-k8s: refusing to overwrite imports/k8s.ts, which re-exports cdk8s-plus-27 on purpose');
    console.error('  (see imports/README.md). Generate elsewhere, or add --force if you really mean to replace it.');
    return 3;
  }
  const file = await generate(opts.definitions, outdir);
  console.log(`import-k8s: wrote ${file}`);
  return 0;
}

main().then(
  (code) => { process.exitCode = code; },
  (err) => {
    console.error(`import-k8s: ${err && err.stack ? err.stack : err}`);
    process.exitCode = 3;
  },
);
