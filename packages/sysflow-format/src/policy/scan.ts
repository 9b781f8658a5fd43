/**
 * Line-level reading of SysFlow policy files: the top-level items (`- rule:`, `- filter:`,
 * `- drop:`, `- macro:`, `- list:`) and their keys, and their rewriting into a Falco rules file
 * that `@sysray/falco-rules` loads — with every kept line at its original column and a map from
 * each generated line back to its original line, so diagnostics point into the policy file.
 */
import { type Priority, parsePriority } from '@sysray/falco-rules';

/** A SysFlow policy priority. */
export type SysFlowPriority = 'low' | 'medium' | 'high';

/** The SysFlow priorities, least severe first. */
export const SYSFLOW_PRIORITIES: readonly SysFlowPriority[] = ['low', 'medium', 'high'];

/** The Falco priority a SysFlow priority is loaded as. */
export const FALCO_PRIORITY_OF: Readonly<Record<SysFlowPriority, Priority>> = {
  low: 'Notice',
  medium: 'Warning',
  high: 'Error',
};

/**
 * The SysFlow priority of a Falco priority, as sf-processor maps them: debug, informational and
 * notice are low; warning is medium; error, critical, alert and emergency are high.
 */
export function sysflowPriorityOf(p: Priority): SysFlowPriority {
  switch (p) {
    case 'Warning':
      return 'medium';
    case 'Error':
    case 'Critical':
    case 'Alert':
    case 'Emergency':
      return 'high';
    default:
      return 'low';
  }
}

/** One key of an item and its lines `[line, end)` (0-based). */
export interface KeyBlock {
  key: string;
  line: number;
  end: number;
  /** 0-based column of the key. */
  col: number;
  /** Text after `key:` on the key's line. */
  rest: string;
}

/** One top-level item: lines `[start, end)`. */
export interface ItemBlock {
  start: number;
  end: number;
  /** 0-based column of the item's `-`. */
  indent: number;
  /** 0-based column of its keys. */
  keyIndent: number;
  keys: KeyBlock[];
  /** First key (`rule`, `filter`, `macro`, …); `undefined` for items that are not block mappings. */
  kind: string | undefined;
}

const KEY_RE = /^([A-Za-z_][\w.-]*)[ \t]*:(?=\s|$)/;

function isBlankOrComment(s: string): boolean {
  const t = s.trimStart();
  return t === '' || t.startsWith('#');
}

function indentOf(s: string): number {
  let i = 0;
  while (i < s.length && s.charCodeAt(i) === 32) i++;
  return i;
}

/** Finds the top-level items of a policy file. Lines outside items are not part of any. */
export function scanItems(lines: readonly string[]): ItemBlock[] {
  let seqIndent = -1;
  for (const l of lines) {
    if (isBlankOrComment(l) || l.startsWith('---') || l.startsWith('...') || l.startsWith('%')) continue;
    const m = /^( *)-(\s|$)/.exec(l);
    if (m) seqIndent = m[1]!.length;
    break;
  }
  if (seqIndent < 0) return [];
  const items: ItemBlock[] = [];
  let cur: ItemBlock | undefined;
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    const ind = indentOf(l);
    const isStart = ind === seqIndent && l.charCodeAt(ind) === 45 && /^-(\s|$)/.test(l.slice(ind));
    if (isStart) {
      if (cur) cur.end = i;
      let k = ind + 1;
      while (k < l.length && (l[k] === ' ' || l[k] === '\t')) k++;
      cur = { start: i, end: i + 1, indent: ind, keyIndent: k, keys: [], kind: undefined };
      items.push(cur);
      const m = KEY_RE.exec(l.slice(k));
      if (m) {
        cur.kind = m[1]!;
        cur.keys.push({ key: m[1]!, line: i, end: i + 1, col: k, rest: l.slice(k + m[0].length) });
      }
      continue;
    }
    if (!cur) continue;
    if (isBlankOrComment(l) || ind > seqIndent) {
      cur.end = i + 1;
      if (cur.kind !== undefined && ind === cur.keyIndent && !isBlankOrComment(l)) {
        const m = KEY_RE.exec(l.slice(ind));
        if (m) {
          cur.keys.push({ key: m[1]!, line: i, end: i + 1, col: ind, rest: l.slice(ind + m[0].length) });
          continue;
        }
      }
      const last = cur.keys[cur.keys.length - 1];
      if (last) last.end = i + 1;
      continue;
    }
    cur.end = i;
    cur = undefined;
  }
  // Trailing blank and comment lines belong to no key.
  for (const it of items) {
    for (const k of it.keys) {
      while (k.end > k.line + 1 && isBlankOrComment(lines[k.end - 1]!)) k.end--;
    }
  }
  return items;
}

/** Removes a trailing ` # comment` outside quotes. */
function stripComment(s: string): string {
  let q: string | undefined;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (q) {
      if (c === q) q = undefined;
    } else if (c === '"' || c === "'") q = c;
    else if (c === '#' && (i === 0 || s[i - 1] === ' ' || s[i - 1] === '\t')) return s.slice(0, i);
  }
  return s;
}

function unquote(s: string): string {
  const t = s.trim();
  if (t.length >= 2 && ((t[0] === '"' && t.endsWith('"')) || (t[0] === "'" && t.endsWith("'")))) {
    return t.slice(1, -1);
  }
  return t;
}

/**
 * The value of a key as a string or a list of strings: plain and quoted scalars, flow sequences
 * (`[a, b]`, also over several lines) and block sequences (`- a` lines). Block scalars are joined.
 */
export function keyValue(lines: readonly string[], k: KeyBlock): string | string[] {
  const first = stripComment(k.rest).trim();
  const more = lines.slice(k.line + 1, k.end).filter((l) => !isBlankOrComment(l));
  if (first.startsWith('[')) {
    let text = first;
    for (const l of more) text += ` ${stripComment(l).trim()}`;
    const inner = text.slice(1, text.lastIndexOf(']') < 0 ? undefined : text.lastIndexOf(']'));
    return inner
      .split(',')
      .map(unquote)
      .filter((s) => s.length > 0);
  }
  if (first === '' && more.length > 0 && more.every((l) => l.trimStart().startsWith('-'))) {
    return more.map((l) => unquote(stripComment(l).trimStart().slice(1)));
  }
  if (first.startsWith('|') || first.startsWith('>')) {
    return more.map((l) => l.trim()).join(' ');
  }
  const parts = [first, ...more.map((l) => stripComment(l).trim())].filter((s) => s.length > 0);
  return parts.length === 1 ? unquote(parts[0]!) : parts.join(' ');
}

/** What was recorded about a rule or filter while rewriting. */
export interface ItemMeta {
  kind: 'rule' | 'filter';
  name: string;
  /** 1-based line of the item in the policy file. */
  line: number;
  /** 1-based column of the item's name. */
  col: number;
  priority?: SysFlowPriority;
  actions?: string[];
  prefilter?: string[];
  /** Whether the item only changes an earlier one (`append` / `override`). */
  partial: boolean;
}

/** A warning or error found while rewriting. */
export interface ScanProblem {
  level: 'error' | 'warning';
  code: 'LOAD_ERR_VALIDATE' | 'LOAD_UNKNOWN_KEY';
  message: string;
  line: number;
  col: number;
  name?: string;
}

/** A policy file rewritten for the Falco loader. */
export interface Rewritten {
  /** Falco rules YAML. */
  text: string;
  /** 1-based original line of each generated line (index: generated line - 1). */
  lineMap: number[];
  items: ItemMeta[];
  problems: ScanProblem[];
}

/** Default output of a policy rule that has none (SysFlow policies usually have none). */
export const DEFAULT_POLICY_OUTPUT =
  '%sf.type %sf.opflags %sf.proc.cmdline (pid=%sf.proc.pid user=%sf.proc.user) parent=%sf.pproc.cmdline ' +
  'file=%sf.file.path net=%sf.net.sip:%sf.net.sport->%sf.net.dip:%sf.net.dport container=%sf.container.name';

const RECORD_TYPES = new Set(['H', 'C', 'P', 'F', 'PE', 'PF', 'NE', 'NF', 'FE', 'FF', 'POD', 'KE']);
const ACTIONS = new Set(['alert', 'tag', 'hash']);

/** Rewrites a SysFlow policy file into a Falco rules file with a line map; see the module doc. */
export function rewritePolicy(content: string, source: string): Rewritten {
  const lines = content.split(/\r?\n/);
  const items = scanItems(lines);
  const out: string[] = [];
  const lineMap: number[] = [];
  const metas: ItemMeta[] = [];
  const problems: ScanProblem[] = [];
  const emit = (text: string, orig: number) => {
    out.push(text);
    lineMap.push(orig + 1);
  };
  let next = 0;
  for (const it of items) {
    for (; next < it.start; next++) emit(lines[next]!, next);
    next = it.end;
    if (it.kind !== 'rule' && it.kind !== 'filter' && it.kind !== 'drop') {
      for (let i = it.start; i < it.end; i++) emit(lines[i]!, i);
      continue;
    }
    const isFilter = it.kind !== 'rule';
    const head = it.keys[0]!;
    const name = String(keyValue(lines, head));
    const has = (k: string) => it.keys.some((x) => x.key === k);
    const partial = has('append') || has('override');
    const meta: ItemMeta = {
      kind: isFilter ? 'filter' : 'rule',
      name,
      line: it.start + 1,
      col: head.col + head.key.length + 2 + (head.rest.length - head.rest.trimStart().length),
      partial,
    };
    const skip = new Set<KeyBlock>();
    for (const k of it.keys) {
      if (isFilter) {
        // Filters have a condition and may be disabled; anything else is left out, with a warning.
        if (k !== head && k.key !== 'condition' && k.key !== 'enabled') {
          skip.add(k);
          problems.push({
            level: 'warning',
            code: 'LOAD_UNKNOWN_KEY',
            message: `Unknown key '${k.key}' in a ${it.kind} (expected condition, enabled)`,
            line: k.line + 1,
            col: k.col + 1,
            name,
          });
        }
        continue;
      }
      if (k.key === 'action') {
        skip.add(k);
        const v = keyValue(lines, k);
        const list = (Array.isArray(v) ? v : [v]).map((a) => a.toLowerCase()).filter((a) => a.length > 0);
        for (const a of list) {
          if (!ACTIONS.has(a)) {
            problems.push({
              level: 'warning',
              code: 'LOAD_UNKNOWN_KEY',
              message: `Unknown action '${a}' (expected alert, tag or hash)`,
              line: k.line + 1,
              col: k.col + 1,
              name,
            });
          }
        }
        meta.actions = list.filter((a) => ACTIONS.has(a));
      } else if (k.key === 'prefilter') {
        skip.add(k);
        const v = keyValue(lines, k);
        const list = (Array.isArray(v) ? v : [v]).map((t) => t.toUpperCase()).filter((t) => t.length > 0);
        for (const t of list) {
          if (!RECORD_TYPES.has(t)) {
            problems.push({
              level: 'error',
              code: 'LOAD_ERR_VALIDATE',
              message: `Unknown record type '${t}' in prefilter (expected ${[...RECORD_TYPES].join(', ')})`,
              line: k.line + 1,
              col: k.col + 1,
              name,
            });
          }
        }
        meta.prefilter = list;
      }
    }
    // Emit the item's lines in order, rewriting the head and priority lines, dropping skipped keys.
    const skipped = new Set<number>();
    for (const k of skip) for (let i = k.line; i < k.end; i++) skipped.add(i);
    const priorityKey = it.keys.find((k) => k.key === 'priority');
    for (let i = it.start; i < it.end; i++) {
      if (skipped.has(i)) continue;
      let text = lines[i]!;
      if (i === it.start && isFilter) {
        // `- filter: x` / `- drop: x` → `- rule:   x` (same columns after the key)
        const pad = ' '.repeat(head.key.length - 4);
        text = `${text.slice(0, head.col)}rule:${pad}${text.slice(head.col + head.key.length + 1)}`;
      }
      if (priorityKey && i === priorityKey.line && !isFilter) {
        const raw = unquote(stripComment(priorityKey.rest));
        const sf = raw.toLowerCase() as SysFlowPriority;
        if (SYSFLOW_PRIORITIES.includes(sf)) {
          meta.priority = sf;
          const at = priorityKey.col + priorityKey.key.length + 1;
          text = `${text.slice(0, at)} ${FALCO_PRIORITY_OF[sf]}`;
        } else {
          const p = parsePriority(raw);
          if (p) meta.priority = sysflowPriorityOf(p);
        }
      }
      emit(text, i);
    }
    // Keys Falco needs and SysFlow policies may leave out, at the item's first line.
    const ki = ' '.repeat(it.keyIndent);
    const gen = (k: string, v: string) => emit(`${ki}${k}: ${v}`, it.start);
    if (isFilter) {
      gen('desc', JSON.stringify(`SysFlow ${it.kind} ${name}`));
      gen('output', JSON.stringify('dropped'));
      gen('priority', 'Debug');
      gen('source', source);
    } else if (!partial) {
      if (!has('output')) gen('output', JSON.stringify(DEFAULT_POLICY_OUTPUT));
      if (!has('priority')) {
        gen('priority', FALCO_PRIORITY_OF.low);
        meta.priority = 'low';
      }
      if (!has('source')) gen('source', source);
    }
    metas.push(meta);
  }
  for (; next < lines.length; next++) emit(lines[next]!, next);
  return { text: out.join('\n'), lineMap, items: metas, problems };
}
