import { validateJsonSchema } from '@sysray/plugin-api';
import { describe, expect, it } from 'vitest';

const schema = {
  type: 'object',
  additionalProperties: false,
  required: ['name'],
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 8 },
    rate: { type: 'integer', minimum: 1, maximum: 10 },
    mode: { enum: ['a', 'b'] },
    tags: { type: 'array', items: { type: 'string' }, maxItems: 2 },
    ratio: { type: 'number', exclusiveMaximum: 1 },
    nested: { $ref: '#/$defs/nested' },
  },
  $defs: { nested: { type: 'object', required: ['x'], properties: { x: { type: 'boolean' } } } },
};

describe('the init-schema validator', () => {
  it('accepts a config that matches', () => {
    expect(
      validateJsonSchema(schema, {
        name: 'n',
        rate: 3,
        mode: 'a',
        tags: ['x'],
        ratio: 0.5,
        nested: { x: true },
      }),
    ).toEqual([]);
  });

  it('reports each violation with its path', () => {
    expect(
      validateJsonSchema(schema, {
        rate: 11,
        mode: 'c',
        tags: ['x', 1, 'z'],
        ratio: 1,
        extra: 1,
        nested: {},
      }),
    ).toEqual([
      "$: missing required property 'name'",
      '$.rate: must be <= 10',
      '$.mode: must be one of "a", "b"',
      '$.tags: more than 2 items',
      '$.tags[1]: expected string, got integer',
      '$.ratio: must be < 1',
      "$: unknown property 'extra'",
      "$.nested: missing required property 'x'",
    ]);
  });

  it('tells integers from numbers and checks string lengths', () => {
    expect(validateJsonSchema(schema, { name: '', rate: 1.5 })).toEqual([
      '$.name: shorter than 1',
      '$.rate: expected integer, got number',
    ]);
    expect(validateJsonSchema({ type: 'number' }, 3)).toEqual([]);
  });

  it('handles anyOf and oneOf', () => {
    const s = { anyOf: [{ type: 'string' }, { type: 'integer' }] };
    expect(validateJsonSchema(s, 1)).toEqual([]);
    expect(validateJsonSchema(s, true)).toEqual(['$: matches none of anyOf']);
    expect(validateJsonSchema({ oneOf: [{ type: 'number' }, { type: 'integer' }] }, 1)).toEqual([
      '$: must match exactly one of oneOf',
    ]);
  });
});
