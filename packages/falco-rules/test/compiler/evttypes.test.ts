import { describe, expect, it } from 'vitest';
import { conditionEventTypes, parseCondition } from '../../src/index.js';
import { EVENT_NAMES } from '../helpers.js';

const table = {
  count: EVENT_NAMES.length,
  codes: (n: string) => {
    const i = EVENT_NAMES.indexOf(n);
    return i < 0 ? undefined : [i];
  },
};

function names(cond: string): string[] | 'all' {
  const s = conditionEventTypes(parseCondition(cond), table);
  if (s === null) return 'all';
  return EVENT_NAMES.filter((_, i) => s[i] === 1);
}

describe('event types of a condition', () => {
  it('restricts by evt.type = and in, and intersects through and', () => {
    expect(names('evt.type = open')).toEqual(['open']);
    expect(names('evt.type in (open, close) and proc.name = x')).toEqual(['open', 'close']);
    expect(names('evt.type in (open, close) and evt.type = close')).toEqual(['close']);
  });

  it('unites through or, and a check without evt.type matches all types', () => {
    expect(names('evt.type = open or evt.type = close')).toEqual(['open', 'close']);
    expect(names('evt.type = open or proc.name = x')).toBe('all');
    expect(names('proc.name = x')).toBe('all');
  });

  it('pushes not down with De Morgan', () => {
    const notOpen = names('not evt.type = open');
    expect(Array.isArray(notOpen) && notOpen.length).toBe(EVENT_NAMES.length - 1);
    expect(names('not (evt.type = open and proc.name = x)')).toBe('all');
    expect(names('not (evt.type != open or proc.name = x)')).toEqual(['open']);
    expect(names('evt.type != open and evt.type = close')).toEqual(['close']);
  });
});
