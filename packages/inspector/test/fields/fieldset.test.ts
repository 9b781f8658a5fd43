import { readFileSync } from 'node:fs';
import { type FieldSet, normalizeFieldType, resolveField } from '@sysray/falco-rules';
import { describe, expect, it } from 'vitest';
import {
  createContainerFieldSet,
  createSyscallFieldSet,
  type EventContext,
  loadSyscallRules,
  providedPlugins,
  syscallFieldSets,
} from '../../src/index.js';
import { testdata } from '../helpers.js';

interface TsvField {
  name: string;
  type: string;
  flags: string;
}

function tsv(): TsvField[] {
  return readFileSync(testdata('reference/sinsp-fields.tsv'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.startsWith('#'))
    .map((l) => {
      const [name = '', type = '', flags = ''] = l.split('\t');
      return { name, type, flags };
    });
}

function fieldsUsed(): string[] {
  return readFileSync(testdata('reference/falco-rules-fields-used.txt'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.startsWith('#'))
    .map((l) => l.split('\t')[0]!);
}

describe('the syscall and container field sets', () => {
  const sets: FieldSet<EventContext>[] = syscallFieldSets();

  it('provide every field the official rules files use', () => {
    const missing: string[] = [];
    for (const f of fieldsUsed()) {
      const m = /^([^[]+)(?:\[(.*)\])?$/.exec(f)!;
      if (!resolveField(sets, m[1]!, m[2])) missing.push(f);
    }
    expect(missing).toEqual([]);
  });

  it('declare each field with the type and argument mode libsinsp (or the container plugin) gives it', () => {
    const byName = new Map(tsv().map((f) => [f.name, f]));
    const wrong: string[] = [];
    for (const set of sets) {
      for (const def of set.fields()) {
        const ref = byName.get(def.name);
        if (!ref) {
          wrong.push(`${def.name}: not a libsinsp field`);
          continue;
        }
        if (normalizeFieldType(ref.type) !== def.type) wrong.push(`${def.name}: ${def.type} vs ${ref.type}`);
        const required = ref.flags.includes('EPF_ARG_REQUIRED') || ref.flags.includes('Required');
        const allowed = ref.flags.includes('EPF_ARG_ALLOWED');
        const mode = required ? 'required' : allowed ? 'optional' : 'none';
        if ((def.arg ?? 'none') !== mode) wrong.push(`${def.name}: arg ${def.arg ?? 'none'} vs ${mode}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('cover the core of every libsinsp field class', () => {
    const have = new Set<string>();
    for (const s of sets) for (const d of s.fields()) have.add(d.name);
    const missing = tsv()
      .map((f) => f.name)
      .filter(
        (n) =>
          !have.has(n) &&
          !n.startsWith('evt.buflen.') &&
          !n.startsWith('evt.count.') &&
          !n.startsWith('evt.infra.'),
      )
      .filter(
        (n) =>
          ![
            'evt.around',
            'evt.latency.quantized',
            'thread.nametid',
            'thread.vmrss.b',
            'thread.vmsize.b',
            'util.cnt',
          ].includes(n),
      );
    expect(missing).toEqual([]);
  });

  it('are separate: the container plugin fields are not in the syscall set', () => {
    expect(createSyscallFieldSet().field('container.id')).toBeUndefined();
    expect(createContainerFieldSet().field('container.id')?.type).toBe('CHARBUF');
    expect(providedPlugins()).toEqual({ container: '0.4.0' });
  });

  it('load the official ruleset with no errors and no warnings', () => {
    const r = loadSyscallRules([testdata('falco-rules/falco_rules.yaml')]);
    expect(r.ok).toBe(true);
    expect(r.diagnostics).toEqual([]);
    expect(r.ruleset?.rules.length).toBe(25);
  });
});
