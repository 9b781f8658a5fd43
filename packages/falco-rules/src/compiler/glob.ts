/**
 * `glob` / `iglob`: fnmatch(3) with no flags, as libsinsp calls it. `*` matches any sequence,
 * including `/`; `?` one character; `[...]` a bracket expression (`!` or `^` negates, ranges,
 * POSIX classes); `\` escapes the next character. An unterminated `[` is a literal.
 */

const POSIX_CLASSES: Record<string, string> = {
  alpha: 'a-zA-Z',
  digit: '0-9',
  alnum: 'a-zA-Z0-9',
  upper: 'A-Z',
  lower: 'a-z',
  space: ' \\t\\n\\r\\f\\v',
  blank: ' \\t',
  punct: '!-\\/:-@\\[-`{-~',
  xdigit: '0-9A-Fa-f',
  cntrl: '\\x00-\\x1f\\x7f',
  print: '\\x20-\\x7e',
  graph: '\\x21-\\x7e',
  word: 'a-zA-Z0-9_',
};

function escapeRe(c: string): string {
  return /[\\^$.*+?()[\]{}|/-]/.test(c) ? `\\${c}` : c;
}

/** Translates a glob to an anchored regular-expression source. */
export function globToRegExpSource(glob: string): string {
  let out = '^';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') out += '[\\s\\S]*';
    else if (c === '?') out += '[\\s\\S]';
    else if (c === '\\' && i + 1 < glob.length) out += escapeRe(glob[++i]!);
    else if (c === '[') {
      const parsed = parseBracket(glob, i);
      if (parsed) {
        out += parsed.re;
        i = parsed.end;
      } else out += '\\[';
    } else out += escapeRe(c);
  }
  return `${out}$`;
}

function parseBracket(glob: string, start: number): { re: string; end: number } | undefined {
  let i = start + 1;
  let negate = false;
  if (glob[i] === '!' || glob[i] === '^') {
    negate = true;
    i++;
  }
  let body = '';
  let first = true;
  while (i < glob.length) {
    const c = glob[i]!;
    if (c === ']' && !first) return { re: `[${negate ? '^' : ''}${body}]`, end: i };
    first = false;
    if (c === '[' && glob[i + 1] === ':') {
      const close = glob.indexOf(':]', i + 2);
      const cls = close > 0 ? POSIX_CLASSES[glob.slice(i + 2, close)] : undefined;
      if (cls !== undefined) {
        body += cls;
        i = close + 2;
        continue;
      }
    }
    if (c === '\\' && i + 1 < glob.length) {
      body += escapeRe(glob[i + 1]!);
      i += 2;
      continue;
    }
    if (glob[i + 1] === '-' && i + 2 < glob.length && glob[i + 2] !== ']') {
      body += `${escapeRe(c)}-${escapeRe(glob[i + 2]!)}`;
      i += 3;
      continue;
    }
    body += escapeRe(c);
    i++;
  }
  return undefined;
}

/** Compiles a glob into a matcher; `caseInsensitive` for `iglob`. */
export function compileGlob(glob: string, caseInsensitive: boolean): (s: string) => boolean {
  // Fast paths for the shapes rules use most: `*x`, `x*`, `*x*`, literal.
  if (!caseInsensitive && !/[?[\\]/.test(glob)) {
    const stars = glob.split('*');
    if (stars.length === 1) return (s) => s === glob;
    if (stars.length === 2 && glob.endsWith('*')) {
      const p = stars[0]!;
      return (s) => s.startsWith(p);
    }
    if (stars.length === 2 && glob.startsWith('*')) {
      const p = stars[1]!;
      return (s) => s.endsWith(p);
    }
  }
  let re: RegExp;
  try {
    re = new RegExp(globToRegExpSource(glob), caseInsensitive ? 'i' : '');
  } catch {
    // A bracket expression JS rejects (e.g. a reversed range) matches nothing, as fnmatch.
    return () => false;
  }
  return (s) => re.test(s);
}
