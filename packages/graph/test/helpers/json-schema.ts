/**
 * A small JSON Schema (2020-12) validator for the keywords `schema/graph.schema.json` uses: `type`,
 * `const`, `enum`, `properties`, `required`, `additionalProperties`, `items`, `oneOf`, `anyOf`,
 * `pattern`, `minimum`, `maximum`, local `$ref` (`#/$defs/...`). Any other keyword fails loudly, so the
 * schema cannot silently use something this does not check.
 */
type Schema = { [k: string]: unknown };

const KNOWN = new Set([
  '$schema',
  '$id',
  '$defs',
  'title',
  'description',
  'type',
  'const',
  'enum',
  'properties',
  'required',
  'additionalProperties',
  'items',
  'oneOf',
  'anyOf',
  'pattern',
  'minimum',
  'maximum',
  '$ref',
]);

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

export function validate(root: Schema, value: unknown): string[] {
  const errors: string[] = [];
  check(root, root, value, '$', errors);
  return errors;
}

function check(root: Schema, s: Schema, v: unknown, path: string, errors: string[]): void {
  for (const k of Object.keys(s)) if (!KNOWN.has(k)) throw new Error(`unsupported keyword ${k} at ${path}`);
  if (typeof s.$ref === 'string') {
    const ref = s.$ref;
    if (!ref.startsWith('#/$defs/')) throw new Error(`unsupported $ref ${ref}`);
    const target = (root.$defs as Record<string, Schema>)[ref.slice(8)];
    if (!target) throw new Error(`unknown $ref ${ref}`);
    check(root, target, v, path, errors);
  }
  if (s.type !== undefined) {
    const types = Array.isArray(s.type) ? (s.type as string[]) : [s.type as string];
    const t = typeOf(v);
    if (!types.includes(t) && !(t === 'integer' && types.includes('number'))) {
      errors.push(`${path}: expected ${types.join('|')}, got ${t}`);
      return;
    }
  }
  if ('const' in s && v !== s.const) errors.push(`${path}: expected ${JSON.stringify(s.const)}`);
  if (s.enum && !(s.enum as unknown[]).includes(v)) errors.push(`${path}: ${JSON.stringify(v)} not in enum`);
  if (typeof s.pattern === 'string' && typeof v === 'string' && !new RegExp(s.pattern, 'u').test(v)) {
    errors.push(`${path}: ${JSON.stringify(v)} does not match ${s.pattern}`);
  }
  if (typeof s.minimum === 'number' && typeof v === 'number' && v < s.minimum)
    errors.push(`${path}: below minimum`);
  if (typeof s.maximum === 'number' && typeof v === 'number' && v > s.maximum)
    errors.push(`${path}: above maximum`);
  if (s.oneOf || s.anyOf) {
    const list = (s.oneOf ?? s.anyOf) as Schema[];
    const passing = list.filter((sub) => {
      const errs: string[] = [];
      check(root, sub, v, path, errs);
      return errs.length === 0;
    }).length;
    if (s.oneOf ? passing !== 1 : passing === 0)
      errors.push(`${path}: ${passing} of ${s.oneOf ? 'oneOf' : 'anyOf'} match`);
  }
  if (typeOf(v) === 'object') {
    const obj = v as Record<string, unknown>;
    const props = (s.properties ?? {}) as Record<string, Schema>;
    for (const r of (s.required ?? []) as string[]) if (!(r in obj)) errors.push(`${path}: missing ${r}`);
    for (const [k, val] of Object.entries(obj)) {
      if (props[k]) check(root, props[k], val, `${path}.${k}`, errors);
      else if (s.additionalProperties === false) errors.push(`${path}: unexpected property ${k}`);
      else if (typeof s.additionalProperties === 'object') {
        check(root, s.additionalProperties as Schema, val, `${path}.${k}`, errors);
      }
    }
  }
  if (Array.isArray(v) && s.items) {
    for (let i = 0; i < v.length; i++) check(root, s.items as Schema, v[i], `${path}[${i}]`, errors);
  }
}
