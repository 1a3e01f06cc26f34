/**
 * The strict Kubernetes 1.27 JSON schemas (unknown fields are errors, int32/int64 formats are
 * checked) from ../shared/k8s/v1.27.0/standalone-strict, read in place: the same check CI runs
 * over dist/ with scripts/validate-strict.js, for objects in memory. When the schemas are not
 * there (a checkout without ../shared), the kubernetes-models check of k8s-validate.ts stands in.
 */
import * as fs from 'fs';
import * as path from 'path';
import { validateKubernetes } from './k8s-validate';

const SCHEMAS = path.resolve(__dirname, '../../../shared/k8s/v1.27.0/standalone-strict');

type Validate = ((o: unknown) => boolean) & { errors?: Array<{ instancePath: string; message?: string }> | null };
let ajv: { compile(schema: object): Validate } | undefined;
const validators = new Map<string, Validate | null>();

export const strictSchemasAvailable = fs.existsSync(SCHEMAS);

function validatorFor(kind: string, apiVersion: string): Validate | null {
  const parts = apiVersion.split('/');
  const file = [kind.toLowerCase(), parts.length === 2 ? parts[0].split('.')[0] : '', parts[parts.length - 1]].filter(Boolean).join('-') + '.json';
  if (validators.has(file)) return validators.get(file)!;
  const full = path.join(SCHEMAS, file);
  let validate: Validate | null = null;
  if (fs.existsSync(full)) {
    if (!ajv) {
      const Ajv = require('ajv');
      const addFormats = require('ajv-formats');
      ajv = new Ajv({ allErrors: true, strict: false });
      addFormats(ajv);
    }
    const schema = JSON.parse(fs.readFileSync(full, 'utf-8'));
    delete schema.$schema;
    delete schema.$id;
    validate = ajv!.compile(schema);
  }
  validators.set(file, validate);
  return validate;
}

/** Problems of each object against its strict 1.27 schema ("Kind/name: /path message"). */
export function strictSchemaProblems(objects: readonly any[]): string[] {
  if (!strictSchemasAvailable) return validateKubernetes(objects);
  const out: string[] = [];
  for (const o of objects) {
    const validate = validatorFor(String(o?.kind), String(o?.apiVersion));
    if (!validate) {
      out.push(`${o?.kind}/${o?.metadata?.name}: no strict 1.27 schema for ${o?.apiVersion} ${o?.kind}`);
      continue;
    }
    if (!validate(o)) for (const e of validate.errors ?? []) out.push(`${o.kind}/${o.metadata?.name}: ${e.instancePath || '/'} ${e.message}`);
  }
  return out;
}
