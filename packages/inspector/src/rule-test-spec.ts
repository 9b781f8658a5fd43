/**
 * Rule-test specs: their shape, strict validation (a misspelt key would make a test pass for nothing), and
 * reading them from YAML or JSON files with `file:line` in every error.
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { type CraftEvent, type CraftThread, craftCapture } from './craft.js';
import { InspectorError } from './errors.js';

/** A rule that must fire: where and how often. */
export interface RuleExpectation {
  /** Rule name. */
  rule: string;
  /** 1-based number of the event it must fire on (any event when absent). */
  event?: number;
  /** Exact number of alerts of this rule (at least one when absent). */
  count?: number;
}

/** An event of a test, with what must (not) fire on it. */
export interface RuleTestEvent extends CraftEvent {
  /** Rules that must fire on this event, once each (a string for one rule). */
  expect?: string | string[];
  /** Rules that must not fire on this event. */
  expect_not?: string | string[];
}

/** A user of the capture's user list. */
export interface RuleTestUser {
  uid: number;
  name: string;
  gid?: number;
  homedir?: string;
  shell?: string;
}

/** A group of the capture's user list. */
export interface RuleTestGroup {
  gid: number;
  name: string;
}

/** One test of a spec. */
export interface RuleTestCase {
  /** Test name. */
  name: string;
  /** A capture file (relative to the spec's directory), or… */
  capture?: string;
  /** …events to write into a capture with the scap encoder (event N is the capture's event number N). */
  events?: RuleTestEvent[];
  /** Process-list threads (added to the spec's own; same tid replaces). */
  threads?: CraftThread[];
  /** Users and groups of the user list (added to the spec's own; same uid/gid replaces). */
  users?: RuleTestUser[];
  groups?: RuleTestGroup[];
  /** Rules that must fire. Strings mean "fires at least once". */
  expect?: (RuleExpectation | string)[];
  /** Rules that must not fire anywhere (`expectNot` is accepted too). */
  expect_not?: string[];
  expectNot?: string[];
  /** No alert other than the expected ones may be raised. */
  no_other_alerts?: boolean;
}

/** A spec file's content. */
export interface RuleTestSpec {
  /** Rules files (relative to the spec's directory) when the caller gives none. */
  rules?: string | string[];
  /** Threads, users and groups every test's crafted capture starts from. */
  threads?: CraftThread[];
  users?: RuleTestUser[];
  groups?: RuleTestGroup[];
  /** The tests. */
  tests: RuleTestCase[];
}

type Path = (string | number)[];
/** Where a path of the spec is, for messages (`spec.yaml:12`), or undefined. */
type Locate = (path: Path) => string | undefined;

const SPEC_KEYS = ['rules', 'threads', 'users', 'groups', 'tests'];
const TEST_KEYS = [
  'name',
  'capture',
  'events',
  'threads',
  'users',
  'groups',
  'expect',
  'expect_not',
  'expectNot',
  'no_other_alerts',
];
const EVENT_KEYS = ['type', 'dir', 'tid', 'ts', 'params', 'expect', 'expect_not'];
const EXPECT_KEYS = ['rule', 'event', 'count'];

class SpecChecker {
  constructor(private readonly locate: Locate) {}

  fail(path: Path, message: string, eventNum?: number): never {
    const where = this.locate(path);
    const parts: string[] = [];
    path.forEach((p, i) => {
      const parent = path[i - 1];
      if (typeof p === 'number') {
        const noun = parent === 'tests' ? 'test' : parent === 'events' ? 'event' : `${String(parent)} entry`;
        parts[parts.length - 1] = `${noun} ${p + 1}`;
      } else parts.push(p);
    });
    const label = parts.join(', ');
    throw new InspectorError(
      'BAD_SPEC',
      `${where ? `${where}: ` : ''}${label ? `${label}: ` : ''}${message}`,
      {
        ...(eventNum === undefined ? {} : { eventNum }),
      },
    );
  }

  object(v: unknown, path: Path, keys: readonly string[]): Record<string, unknown> {
    if (!v || typeof v !== 'object' || Array.isArray(v)) this.fail(path, 'expected a mapping');
    for (const k of Object.keys(v))
      if (!keys.includes(k))
        this.fail([...path, k], `unknown key '${k}' (expected one of ${keys.join(', ')})`);
    return v as Record<string, unknown>;
  }

  list(v: unknown, path: Path): unknown[] {
    if (!Array.isArray(v)) this.fail(path, 'expected a list');
    return v;
  }

  names(v: unknown, path: Path): string[] {
    const list = typeof v === 'string' ? [v] : this.list(v, path);
    list.forEach((n, i) => {
      if (typeof n !== 'string' || n === '') this.fail([...path, i], 'expected a rule name');
    });
    return list as string[];
  }

  /** Numbers must have been read exactly: YAML and JSON read integers beyond 2^53 as rounded doubles. */
  exact(v: unknown, path: Path): void {
    if (typeof v === 'number' && Number.isInteger(v) && !Number.isSafeInteger(v))
      this.fail(path, `${v} is beyond 2^53 and was rounded when read: write it as a string ('…')`);
  }

  integer(v: unknown, path: Path, min: number): void {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min)
      this.fail(path, `expected an integer ≥ ${min}, got ${JSON.stringify(v)}`);
  }

  keyed(v: unknown, path: Path, key: string, keys: readonly string[] | undefined): void {
    this.list(v, path).forEach((item, i) => {
      const o = keys ? this.object(item, [...path, i], keys) : (item as Record<string, unknown>);
      if (!o || typeof o !== 'object') this.fail([...path, i], 'expected a mapping');
      this.integer(o[key], [...path, i, key], -1);
    });
  }

  expectation(v: unknown, path: Path, events: number | undefined): void {
    if (typeof v === 'string') return;
    const o = this.object(v, path, EXPECT_KEYS);
    if (typeof o.rule !== 'string') this.fail([...path, 'rule'], 'expected a rule name');
    if (o.event !== undefined) {
      this.integer(o.event, [...path, 'event'], 1);
      if (events !== undefined && (o.event as number) > events)
        this.fail([...path, 'event'], `the test has only ${events} events`);
    }
    if (o.count !== undefined) this.integer(o.count, [...path, 'count'], 0);
  }

  test(v: unknown, i: number, spec: RuleTestSpec): void {
    const path: Path = ['tests', i];
    const t = this.object(v, path, TEST_KEYS);
    if (typeof t.name !== 'string' || t.name === '') this.fail(path, 'needs a `name`');
    if (t.capture !== undefined && typeof t.capture !== 'string')
      this.fail([...path, 'capture'], 'expected a path');
    if ((t.capture === undefined) === (t.events === undefined))
      this.fail(path, `test '${t.name}' needs either \`capture\` or \`events\``);
    const events = t.events === undefined ? undefined : this.list(t.events, [...path, 'events']);
    events?.forEach((e, j) => {
      const ep = [...path, 'events', j];
      const o = this.object(e, ep, EVENT_KEYS);
      if (typeof o.type !== 'string') this.fail(ep, 'needs a `type` (event name: openat, execve, …)');
      this.integer(o.tid, [...ep, 'tid'], -1);
      if (o.dir !== undefined && o.dir !== '<' && o.dir !== '>')
        this.fail([...ep, 'dir'], "expected '<' or '>'");
      if (o.ts !== undefined) this.exact(o.ts, [...ep, 'ts']);
      if (o.params !== undefined) {
        const params = this.object(o.params, [...ep, 'params'], Object.keys(o.params ?? {}));
        for (const [k, v] of Object.entries(params)) this.exact(v, [...ep, 'params', k]);
      }
      if (o.expect !== undefined) this.names(o.expect, [...ep, 'expect']);
      if (o.expect_not !== undefined) this.names(o.expect_not, [...ep, 'expect_not']);
    });
    for (const key of ['threads', 'users', 'groups'] as const)
      if (t[key] !== undefined)
        this.keyed(
          t[key],
          [...path, key],
          key === 'threads' ? 'tid' : key === 'users' ? 'uid' : 'gid',
          undefined,
        );
    if (t.expect !== undefined)
      this.list(t.expect, [...path, 'expect']).forEach((x, j) => {
        this.expectation(x, [...path, 'expect', j], events?.length);
      });
    for (const key of ['expect_not', 'expectNot'])
      if (t[key] !== undefined) this.names(t[key], [...path, key]);
    if (t.no_other_alerts !== undefined && typeof t.no_other_alerts !== 'boolean')
      this.fail([...path, 'no_other_alerts'], 'expected true or false');
    if (events) {
      // The encoder is the judge of event names, parameters and values: craft the capture once.
      try {
        craftCapture(craftSpecOf(t as unknown as RuleTestCase, spec));
      } catch (error) {
        const n = error instanceof InspectorError ? error.eventNum : undefined;
        const message = (error as Error).message.replace(/^event \d+ \([^)]*\): /, '');
        if (n !== undefined) this.fail([...path, 'events', n - 1], message, n);
        this.fail(path, message);
      }
    }
  }

  spec(v: unknown): RuleTestSpec {
    const s = this.object(v, [], SPEC_KEYS);
    if (s.tests === undefined) this.fail([], 'a rule-test spec needs a `tests` list');
    if (s.rules !== undefined) this.names(s.rules, ['rules']);
    for (const key of ['threads', 'users', 'groups'] as const)
      if (s[key] !== undefined)
        this.keyed(s[key], [key], key === 'threads' ? 'tid' : key === 'users' ? 'uid' : 'gid', undefined);
    const tests = this.list(s.tests, ['tests']);
    const spec = s as unknown as RuleTestSpec;
    tests.forEach((t, i) => {
      this.test(t, i, spec);
    });
    return spec;
  }
}

function mergeBy<T>(key: keyof T, base: readonly T[] | undefined, own: readonly T[] | undefined): T[] {
  const out = new Map<unknown, T>();
  for (const x of base ?? []) out.set(x[key], x);
  for (const x of own ?? []) out.set(x[key], x);
  return [...out.values()];
}

/** What {@link craftCapture} gets for a test: its events over the spec's and its own threads, users, groups. */
export function craftSpecOf(t: RuleTestCase, spec: Pick<RuleTestSpec, 'threads' | 'users' | 'groups'>) {
  return {
    events: (t.events ?? []).map(({ type, dir, tid, ts, params }) => ({
      type,
      tid,
      ...(dir === undefined ? {} : { dir }),
      ...(ts === undefined ? {} : { ts }),
      ...(params === undefined ? {} : { params }),
    })),
    threads: mergeBy('tid', spec.threads, t.threads),
    users: mergeBy('uid', spec.users, t.users),
    groups: mergeBy('gid', spec.groups, t.groups),
  };
}

/**
 * Checks a spec object: known keys only, the right types, events the scap encoder can write.
 * @throws InspectorError `BAD_SPEC` naming the test, the event and the key.
 */
export function validateRuleTestSpec(spec: unknown): RuleTestSpec {
  return new SpecChecker(() => undefined).spec(spec);
}

/**
 * Reads a spec file, YAML (`.yaml`, `.yml`, anything else) or JSON (`.json`), and checks it. Errors carry
 * the file and the line of the offending test, event or key.
 * @throws InspectorError `BAD_SPEC`
 */
export function readRuleTestSpec(path: string): RuleTestSpec {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new InspectorError('BAD_SPEC', `cannot read ${path}: ${(error as Error).message}`, {
      file: path,
      cause: error,
    });
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, merge: true });
  const bad = doc.errors[0];
  if (bad) {
    const line = bad.linePos?.[0]?.line ?? lines.linePos(bad.pos[0]).line;
    throw new InspectorError('BAD_SPEC', `${path}${line ? `:${line}` : ''}: not valid YAML: ${bad.message}`, {
      file: path,
      cause: bad,
    });
  }
  const locate: Locate = (p) => {
    for (let n = p.length; n >= 0; n--) {
      const node = doc.getIn(p.slice(0, n), true) as { range?: [number, number, number] } | undefined;
      if (node && typeof node === 'object' && node.range)
        return `${path}:${lines.linePos(node.range[0]).line}`;
    }
    return path;
  };
  try {
    return new SpecChecker(locate).spec(doc.toJS());
  } catch (error) {
    if (error instanceof InspectorError) error.file ??= path;
    throw error;
  }
}

/** A test's capture source: its capture file resolved against `base`, or its crafted events. */
export function testCaptureOf(t: RuleTestCase, spec: RuleTestSpec, base: string): string | Uint8Array {
  if (t.capture !== undefined) return isAbsolute(t.capture) ? t.capture : resolve(base, t.capture);
  return craftCapture(craftSpecOf(t, spec));
}
