/**
 * A small JSON-schema validator for plugin init configs: the subset plugin schemas use (`type`, `properties`,
 * `required`, `additionalProperties`, `enum`, `const`, `minimum`/`maximum`, `exclusiveMinimum`/`exclusiveMaximum`,
 * `minLength`/`maxLength`, `pattern`, `items`, `minItems`/`maxItems`, `anyOf`/`oneOf`/`allOf`, local `$ref`s).
 * Unknown keywords are ignored, as JSON schema says. Written here rather than taking ajv: it is ~150 lines, has
 * no dependency and no code generation (`new Function`), and reports errors as `path: message` lines.
 */

/** A JSON schema (object form). */
export type JsonSchema = { [key: string]: unknown };

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function typeMatches(v: unknown, t: string): boolean {
  const actual = typeOf(v);
  return actual === t || (t === 'number' && actual === 'integer');
}

function deepEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function resolveRef(root: JsonSchema, ref: string): JsonSchema | undefined {
  if (!ref.startsWith('#')) return undefined;
  let cur: unknown = root;
  for (const raw of ref.slice(1).split('/').filter(Boolean)) {
    const key = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur !== null && typeof cur === 'object' ? (cur as JsonSchema) : undefined;
}

function check(
  schema: unknown,
  v: unknown,
  path: string,
  root: JsonSchema,
  out: string[],
  depth: number,
): void {
  if (schema === true || schema === undefined) return;
  if (schema === false) {
    out.push(`${path}: no value is allowed here`);
    return;
  }
  if (schema === null || typeof schema !== 'object' || depth > 64) return;
  const s = schema as JsonSchema;
  if (typeof s.$ref === 'string') {
    const target = resolveRef(root, s.$ref);
    if (!target) out.push(`${path}: unresolvable $ref ${s.$ref}`);
    else check(target, v, path, root, out, depth + 1);
    return;
  }
  const types =
    s.type === undefined ? undefined : Array.isArray(s.type) ? (s.type as string[]) : [String(s.type)];
  if (types && !types.some((t) => typeMatches(v, t))) {
    out.push(`${path}: expected ${types.join(' or ')}, got ${typeOf(v)}`);
    return;
  }
  if (Array.isArray(s.enum) && !s.enum.some((e) => deepEqual(e, v)))
    out.push(`${path}: must be one of ${s.enum.map((e) => JSON.stringify(e)).join(', ')}`);
  if ('const' in s && !deepEqual(s.const, v)) out.push(`${path}: must be ${JSON.stringify(s.const)}`);
  if (typeof v === 'number') {
    if (typeof s.minimum === 'number' && v < s.minimum) out.push(`${path}: must be >= ${s.minimum}`);
    if (typeof s.maximum === 'number' && v > s.maximum) out.push(`${path}: must be <= ${s.maximum}`);
    if (typeof s.exclusiveMinimum === 'number' && v <= s.exclusiveMinimum)
      out.push(`${path}: must be > ${s.exclusiveMinimum}`);
    if (typeof s.exclusiveMaximum === 'number' && v >= s.exclusiveMaximum)
      out.push(`${path}: must be < ${s.exclusiveMaximum}`);
  }
  if (typeof v === 'string') {
    const n = [...v].length;
    if (typeof s.minLength === 'number' && n < s.minLength) out.push(`${path}: shorter than ${s.minLength}`);
    if (typeof s.maxLength === 'number' && n > s.maxLength) out.push(`${path}: longer than ${s.maxLength}`);
    if (typeof s.pattern === 'string' && !new RegExp(s.pattern, 'u').test(v))
      out.push(`${path}: does not match /${s.pattern}/`);
  }
  if (Array.isArray(v)) {
    if (typeof s.minItems === 'number' && v.length < s.minItems)
      out.push(`${path}: fewer than ${s.minItems} items`);
    if (typeof s.maxItems === 'number' && v.length > s.maxItems)
      out.push(`${path}: more than ${s.maxItems} items`);
    if (s.items !== undefined)
      for (let i = 0; i < v.length; i++) check(s.items, v[i], `${path}[${i}]`, root, out, depth + 1);
  }
  if (typeOf(v) === 'object') {
    const obj = v as Record<string, unknown>;
    const props = (s.properties ?? {}) as Record<string, unknown>;
    if (Array.isArray(s.required))
      for (const r of s.required as string[])
        if (!(r in obj)) out.push(`${path}: missing required property '${r}'`);
    for (const [k, val] of Object.entries(obj)) {
      if (k in props) check(props[k], val, `${path}.${k}`, root, out, depth + 1);
      else if (s.additionalProperties === false) out.push(`${path}: unknown property '${k}'`);
      else if (typeof s.additionalProperties === 'object')
        check(s.additionalProperties, val, `${path}.${k}`, root, out, depth + 1);
    }
  }
  if (Array.isArray(s.allOf)) for (const sub of s.allOf) check(sub, v, path, root, out, depth + 1);
  const branches = (list: unknown[]) =>
    list.filter((sub) => {
      const errs: string[] = [];
      check(sub, v, path, root, errs, depth + 1);
      return errs.length === 0;
    }).length;
  if (Array.isArray(s.anyOf) && branches(s.anyOf) === 0) out.push(`${path}: matches none of anyOf`);
  if (Array.isArray(s.oneOf) && branches(s.oneOf) !== 1) out.push(`${path}: must match exactly one of oneOf`);
}

/**
 * Validates `value` against `schema`. Returns the problems found, one `path: message` string each (`$` is the
 * root); an empty array means valid.
 *
 * @example
 * ```ts
 * validateJsonSchema({ type: 'object', required: ['rate'] }, {}); // ["$: missing required property 'rate'"]
 * ```
 */
export function validateJsonSchema(schema: JsonSchema | boolean, value: unknown): string[] {
  const out: string[] = [];
  const root = typeof schema === 'object' ? schema : {};
  check(schema, value as Json, '$', root, out, 0);
  return out;
}
