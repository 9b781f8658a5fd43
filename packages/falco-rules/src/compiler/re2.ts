/**
 * RE2 semantics for the `regex` operator, without a native RE2: the pattern is validated against
 * RE2's syntax (what RE2 rejects is rejected: backreferences, lookaround, atomic groups, possessive
 * quantifiers, conditionals, recursion, repeat counts above 1000) and translated to an equivalent
 * JavaScript `RegExp` (named groups `(?P<n>…)`, `\A`, `\z`, `\Q…\E`, POSIX classes `[[:alpha:]]`,
 * RE2's ASCII `\s`, leading flag groups `(?i)`, `(?s)`, `(?m)`). The match is a full match, as
 * libsinsp's `RE2::FullMatch`. The patterns accepted contain no backtracking-only constructs, but the
 * JS engine is still a backtracking one: pathological patterns are not linear-time.
 */
import { RuleError } from '../errors.js';

const POSIX: Record<string, string> = {
  alnum: '0-9A-Za-z',
  alpha: 'A-Za-z',
  ascii: '\\x00-\\x7F',
  blank: '\\t ',
  cntrl: '\\x00-\\x1F\\x7F',
  digit: '0-9',
  graph: '!-~',
  lower: 'a-z',
  print: ' -~',
  punct: '!-\\/:-@\\[-`{-~',
  space: '\\t\\n\\v\\f\\r ',
  upper: 'A-Z',
  word: '0-9A-Za-z_',
  xdigit: '0-9A-Fa-f',
};

function fail(pattern: string, why: string): never {
  throw new RuleError('LOAD_ERR_COMPILE_CONDITION', `invalid regular expression '${pattern}': ${why}`);
}

/** Translates an RE2 pattern into a JS RegExp source and flags; throws RuleError where RE2 would. */
export function translateRe2(pattern: string): { source: string; flags: string } {
  let flags = '';
  let i = 0;
  const lead = /^\(\?([imsU]+)\)/.exec(pattern);
  if (lead) {
    for (const f of lead[1]!) {
      if (f === 'U') fail(pattern, 'ungreedy mode (?U) is not supported');
      if (!flags.includes(f)) flags += f;
    }
    i = lead[0].length;
  }
  let out = '';
  let inClass = false;
  let unicode = false;
  for (; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\') {
      const n = pattern[i + 1];
      if (n === undefined) fail(pattern, 'trailing \\');
      i++;
      if (n >= '1' && n <= '9') fail(pattern, 'backreferences are not supported');
      if (n === 'k') fail(pattern, 'backreferences are not supported');
      if (n === 'Z' || n === 'G' || n === 'C' || n === 'X' || n === 'R')
        fail(pattern, `invalid escape \\${n}`);
      if (n === 'A') {
        out += inClass ? 'A' : '^';
        continue;
      }
      if (n === 'z') {
        out += inClass ? 'z' : '$';
        continue;
      }
      if (n === 'Q') {
        const end = pattern.indexOf('\\E', i + 1);
        const lit = pattern.slice(i + 1, end < 0 ? pattern.length : end);
        out += lit.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
        i = end < 0 ? pattern.length : end + 1;
        continue;
      }
      if (n === 's') {
        out += inClass ? '\\t\\n\\f\\r ' : '[\\t\\n\\f\\r ]';
        continue;
      }
      if (n === 'S' && !inClass) {
        out += '[^\\t\\n\\f\\r ]';
        continue;
      }
      if (n === 'p' || n === 'P') {
        unicode = true;
        if (pattern[i + 1] === '{') {
          const end = pattern.indexOf('}', i);
          if (end < 0) fail(pattern, 'missing } in \\p{');
          out += `\\${n}${pattern.slice(i + 1, end + 1)}`;
          i = end;
        } else {
          const cls = pattern[i + 1];
          if (cls === undefined) fail(pattern, 'missing class after \\p');
          out += `\\${n}{${cls}}`;
          i++;
        }
        continue;
      }
      out += `\\${n}`;
      continue;
    }
    if (inClass) {
      if (c === '[' && pattern[i + 1] === ':') {
        const end = pattern.indexOf(':]', i + 2);
        const name = end > 0 ? pattern.slice(i + 2, end) : '';
        const neg = name.startsWith('^');
        const cls = POSIX[neg ? name.slice(1) : name];
        if (cls === undefined) fail(pattern, `invalid character class [:${name}:]`);
        if (neg) fail(pattern, 'negated POSIX classes are not supported');
        out += cls;
        i = end + 1;
        continue;
      }
      if (c === ']') inClass = false;
      out += c === '[' ? '\\[' : c;
      continue;
    }
    if (c === '[') {
      inClass = true;
      out += c;
      if (pattern[i + 1] === '^') {
        out += '^';
        i++;
      }
      if (pattern[i + 1] === ']') {
        out += '\\]';
        i++;
      }
      continue;
    }
    if (c === '(' && pattern[i + 1] === '?') {
      const rest = pattern.slice(i + 2);
      if (rest.startsWith('P<')) {
        out += '(?<';
        i += 3;
        continue;
      }
      if (rest.startsWith(':')) {
        out += '(?:';
        i += 2;
        continue;
      }
      if (/^[=!]|^<[=!]/.test(rest)) fail(pattern, 'lookaround assertions are not supported');
      if (rest.startsWith('>')) fail(pattern, 'atomic groups are not supported');
      if (rest.startsWith('(')) fail(pattern, 'conditionals are not supported');
      if (/^[R0-9+-]/.test(rest)) fail(pattern, 'recursion is not supported');
      if (rest.startsWith('<')) {
        out += '(?<';
        i += 2;
        continue;
      }
      fail(pattern, 'inline flag groups are only supported at the start of the pattern');
    }
    if ((c === '*' || c === '+' || c === '?' || c === '}') && pattern[i + 1] === '+') {
      fail(pattern, 'possessive quantifiers are not supported');
    }
    if (c === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(pattern.slice(i));
      if (m) {
        const lo = Number(m[1]);
        const hi = m[3] ? Number(m[3]) : lo;
        if (lo > 1000 || hi > 1000) fail(pattern, 'bad repetition operator: counts above 1000');
        if (m[3] && hi < lo) fail(pattern, 'bad repetition operator');
        out += m[0];
        i += m[0].length - 1;
        continue;
      }
      out += '\\{';
      continue;
    }
    if (c === '}') {
      out += '\\}';
      continue;
    }
    out += c;
  }
  if (inClass) fail(pattern, 'missing ]');
  if (unicode) flags += 'u';
  return { source: `^(?:${out})$`, flags };
}

/** Compiles an RE2 pattern into a full-match predicate. */
export function compileRe2(pattern: string): (s: string) => boolean {
  const { source, flags } = translateRe2(pattern);
  let re: RegExp;
  try {
    re = new RegExp(source, flags);
  } catch (e) {
    fail(pattern, (e as Error).message);
  }
  return (s) => re.test(s);
}
