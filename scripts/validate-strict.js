#!/usr/bin/env node
/**
 * Strict Kubernetes 1.27 manifest validation for CI.
 *
 *   node scripts/validate-strict.js [PATH...] [--schemas DIR] [--allow-missing]
 *
 * PATHs are files or directories (searched recursively for *.yaml, *.yml, *.json); default `dist`.
 * Every object is checked against the standalone *strict* JSON schema for its kind and apiVersion
 * (unknown fields are errors) from DIR, default ../shared/k8s/v1.27.0/standalone-strict relative
 * to the repository root. Schema files are named `<kind>[-<group prefix>]-<version>.json`, e.g.
 * deployment-apps-v1.json, service-v1.json, networkpolicy-networking-v1.json.
 *
 * The schemas are self-contained (no $ref) and declare `"$schema": "http://json-schema.org/schema#"`,
 * an unversioned draft identifier Ajv does not know; they only use keywords that mean the same
 * in draft-04 and draft-07 (type, properties, additionalProperties, items, required, enum, oneOf,
 * format), so the declaration is dropped and they are compiled with Ajv's default draft-07.
 *
 * Exit codes: 0 all valid (or schemas dir absent: skipped), 1 invalid objects or none found,
 * 2 usage error or unreadable input path.
 */
'use strict';

const fs = require('fs');
const path = require('path');

const REPO_ROOT = path.resolve(__dirname, '..');
const DEFAULT_SCHEMAS = path.resolve(REPO_ROOT, '../shared/k8s/v1.27.0/standalone-strict');
const LABEL = 'strict-1.27';
const MANIFEST_EXT = /\.(ya?ml|json)$/i;

function usage() {
  return [
    'usage: node scripts/validate-strict.js [PATH...] [--schemas DIR] [--allow-missing]',
    '',
    '  PATH             manifest file or directory (recursive); default: dist',
    `  --schemas DIR    strict standalone schemas (default: ${path.relative(process.cwd(), DEFAULT_SCHEMAS) || DEFAULT_SCHEMAS})`,
    '  --allow-missing  a kind without a schema is skipped instead of counted as invalid',
  ].join('\n');
}

function parseArgs(argv) {
  const opts = { paths: [], schemas: DEFAULT_SCHEMAS, allowMissing: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--schemas') {
      const v = argv[++i];
      if (!v) throw new Error('--schemas needs a directory');
      opts.schemas = path.resolve(v);
    } else if (arg === '--allow-missing') {
      opts.allowMissing = true;
    } else if (arg === '-h' || arg === '--help') {
      opts.help = true;
    } else if (arg.startsWith('--')) {
      throw new Error(`unknown option ${arg}`);
    } else {
      opts.paths.push(arg);
    }
  }
  if (opts.paths.length === 0) opts.paths.push('dist');
  return opts;
}

// ---------------------------------------------------------------------------------------------
// Manifests
// ---------------------------------------------------------------------------------------------

function listManifestFiles(p) {
  const stat = fs.statSync(p);
  if (stat.isFile()) return [p];
  const out = [];
  for (const entry of fs.readdirSync(p, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    const full = path.join(p, entry.name);
    if (entry.isDirectory()) out.push(...listManifestFiles(full));
    else if (entry.isFile() && MANIFEST_EXT.test(entry.name)) out.push(full);
  }
  return out;
}

/**
 * Yields { where, object } for every document in a file, or { where, error } when a document
 * cannot be parsed. `kind: List` wrappers (and top-level JSON arrays) are unpacked.
 */
function readObjects(file) {
  const YAML = require('yaml');
  const text = fs.readFileSync(file, 'utf-8');
  const rel = path.relative(process.cwd(), file) || file;
  const docs = [];
  if (/\.json$/i.test(file)) {
    try {
      docs.push({ where: rel, value: JSON.parse(text) });
    } catch (e) {
      return [{ where: rel, error: `invalid JSON: ${e.message}` }];
    }
  } else {
    YAML.parseAllDocuments(text).forEach((doc, i) => {
      const where = `${rel}#${i}`;
      if (doc.errors && doc.errors.length) {
        docs.push({ where, error: `invalid YAML: ${doc.errors[0].message.split('\n')[0]}` });
      } else {
        docs.push({ where, value: doc.toJS({ maxAliasCount: -1 }) });
      }
    });
  }
  const out = [];
  const push = (where, value) => {
    if (value === null || value === undefined) return; // empty document, e.g. a trailing `---`
    if (Array.isArray(value)) {
      value.forEach((v, i) => push(`${where}[${i}]`, v));
    } else if (value && typeof value === 'object' && value.kind === 'List' && Array.isArray(value.items)) {
      value.items.forEach((v, i) => push(`${where}.items[${i}]`, v));
    } else {
      out.push({ where, object: value });
    }
  };
  for (const d of docs) {
    if (d.error) out.push(d);
    else push(d.where, d.value);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Schemas
// ---------------------------------------------------------------------------------------------

/** apps/v1 Deployment -> deployment-apps-v1.json; v1 Service -> service-v1.json */
function schemaFileName(kind, apiVersion) {
  const parts = String(apiVersion).split('/');
  const version = parts.length === 2 ? parts[1] : parts[0];
  const group = parts.length === 2 ? parts[0].split('.')[0] : '';
  return [kind.toLowerCase(), group, version].filter(Boolean).join('-') + '.json';
}

function createValidatorCache(schemasDir) {
  let ajv;
  const cache = new Map();
  return (fileName) => {
    if (cache.has(fileName)) return cache.get(fileName);
    const file = path.join(schemasDir, fileName);
    let validate = null;
    if (fs.existsSync(file)) {
      if (!ajv) {
        const Ajv = require('ajv');
        const addFormats = require('ajv-formats');
        // strict:false -- the schemas carry x-kubernetes-* annotations and null-able union types
        ajv = new Ajv({ allErrors: true, strict: false });
        addFormats(ajv); // date-time, byte, int32, int64 are used by the Kubernetes schemas
      }
      const schema = JSON.parse(fs.readFileSync(file, 'utf-8'));
      delete schema.$schema;
      delete schema.$id;
      validate = ajv.compile(schema);
    }
    cache.set(fileName, validate);
    return validate;
  };
}

// ---------------------------------------------------------------------------------------------
// Error formatting
// ---------------------------------------------------------------------------------------------

/** "/spec/template/spec/containers/0" -> "spec.template.spec.containers[0]" */
function pointerToPath(pointer, extra) {
  const segs = pointer.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (extra !== undefined) segs.push(extra);
  let out = '';
  for (const s of segs) {
    if (/^\d+$/.test(s)) out += `[${s}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(s)) out += out ? `.${s}` : s;
    else out += `[${JSON.stringify(s)}]`;
  }
  return out || '(root)';
}

/**
 * Turns Ajv errors into "path: message" strings. A failed oneOf (how these schemas spell
 * int-or-string) is reported once instead of together with every branch's own complaint.
 */
function formatErrors(errors) {
  const oneOfs = errors.filter((e) => e.keyword === 'oneOf').map((e) => e.schemaPath);
  const lines = [];
  for (const e of errors) {
    if (e.keyword !== 'oneOf' && oneOfs.some((sp) => e.schemaPath.startsWith(`${sp}/`))) continue;
    let line;
    if (e.keyword === 'additionalProperties') {
      line = `${pointerToPath(e.instancePath, e.params.additionalProperty)}: unknown field`;
    } else if (e.keyword === 'required') {
      line = `${pointerToPath(e.instancePath, e.params.missingProperty)}: required field is missing`;
    } else if (e.keyword === 'oneOf') {
      line = `${pointerToPath(e.instancePath)}: must be an integer or a string (int-or-string)`;
    } else if (e.keyword === 'enum') {
      line = `${pointerToPath(e.instancePath)}: must be one of ${e.params.allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
    } else {
      line = `${pointerToPath(e.instancePath)}: ${e.message}`;
    }
    if (!lines.includes(line)) lines.push(line);
  }
  return lines;
}

function describe(obj) {
  const kind = obj && typeof obj.kind === 'string' ? obj.kind : '(no kind)';
  const meta = (obj && obj.metadata) || {};
  const name = typeof meta.name === 'string' ? meta.name : '(unnamed)';
  return `${kind}/${meta.namespace ? `${meta.namespace}/` : ''}${name}`;
}

// ---------------------------------------------------------------------------------------------

function main() {
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (e) {
    console.error(`validate-strict: ${e.message}\n\n${usage()}`);
    return 2;
  }
  if (opts.help) {
    console.log(usage());
    return 0;
  }
  if (!fs.existsSync(opts.schemas) || !fs.statSync(opts.schemas).isDirectory()) {
    console.log(`${LABEL}: skipped: strict schema directory ${opts.schemas} not found`);
    return 0;
  }

  const files = [];
  for (const p of opts.paths) {
    if (!fs.existsSync(p)) {
      console.error(`validate-strict: ${p} not found${p === 'dist' ? ' (run `npm run synth` first, or pass manifest paths)' : ''}`);
      return 2;
    }
    files.push(...listManifestFiles(p));
  }

  const validatorFor = createValidatorCache(opts.schemas);
  let valid = 0;
  let invalid = 0;
  let skipped = 0;
  for (const file of files) {
    for (const item of readObjects(file)) {
      if (item.error) {
        invalid++;
        console.log(`${item.where}: ${item.error}`);
        continue;
      }
      const obj = item.object;
      const label = `${item.where}: ${describe(obj)}`;
      if (!obj || typeof obj !== 'object' || typeof obj.kind !== 'string' || typeof obj.apiVersion !== 'string') {
        invalid++;
        console.log(`${label}: not a Kubernetes object (apiVersion and kind must be strings)`);
        continue;
      }
      const schemaName = schemaFileName(obj.kind, obj.apiVersion);
      const validate = validatorFor(schemaName);
      if (!validate) {
        const msg = `no strict schema for ${obj.kind} (${obj.apiVersion}; expected ${schemaName})`;
        if (opts.allowMissing) {
          skipped++;
          console.log(`${label}: skipped: ${msg}`);
        } else {
          invalid++;
          console.log(`${label}: ${msg}`);
        }
        continue;
      }
      if (validate(obj)) {
        valid++;
      } else {
        invalid++;
        console.log(`${label}: ${formatErrors(validate.errors || []).join('; ')}`);
      }
    }
  }

  const extra = skipped ? `; ${skipped} skipped (no strict schema, --allow-missing)` : '';
  console.log(`${LABEL}: ${valid} objects valid, ${invalid} invalid${extra}`);
  if (valid + invalid + skipped === 0) {
    console.log(`${LABEL}: no Kubernetes objects found in ${opts.paths.join(', ')}`);
    return 1;
  }
  return invalid > 0 ? 1 : 0;
}

process.exitCode = main();
