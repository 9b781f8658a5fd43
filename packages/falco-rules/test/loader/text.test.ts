import { describe, expect, it } from 'vitest';
import type { ExceptionInfo, ExEntry } from '../../src/loader/info.js';
import { original, quoteItem, substituteList, withExceptions } from '../../src/loader/text.js';

const s = (item: string): ExEntry => ({ isList: false, item });
const l = (...items: ExEntry[]): ExEntry => ({ isList: true, items });

function ex(name: string, fields: ExEntry, values: ExEntry[], comps?: ExEntry): ExceptionInfo {
  const info = {
    name,
    fields,
    values,
    ctx: { src: null as never, node: null, kind: 'exception' },
  } as ExceptionInfo;
  if (comps) info.comps = comps;
  return info;
}

describe('exception text', () => {
  it('builds the same text as Falco for field lists, single fields and nested value lists', () => {
    const exceptions = [
      ex(
        'proc_file',
        l(s('proc.name'), s('fd.name')),
        [l(s('httpd'), l(s('/etc/httpd.conf'), s('/etc/apache2.conf')))],
        l(s('='), s('in')),
      ),
      ex(
        'writer',
        l(s('container.image.repository'), s('fd.directory')),
        [l(s('docker.io/foo'), s('/var/lib/foo')), l(s('a b'), s('c'))],
        l(s('='), s('=')),
      ),
      ex('single', s('proc.name'), [s('cat'), s('my app')], s('in')),
      ex('listcomp', l(s('fd.name')), [l(s('some_list'))], l(s('pmatch'))),
    ];
    expect(withExceptions(original('evt.type = open'), exceptions).text).toBe(
      '(evt.type = open)' +
        ' and not (( proc.name = httpd and  fd.name in (/etc/httpd.conf, /etc/apache2.conf)))' +
        ' and not (( container.image.repository = docker.io/foo and  fd.directory = /var/lib/foo) or ( container.image.repository = "a b" and  fd.directory = c))' +
        ' and not (proc.name in (cat, "my app"))' +
        ' and not (( fd.name pmatch (some_list)))',
    );
  });

  it('adds nothing for an exception without values', () => {
    expect(withExceptions(original('a'), [ex('e', l(s('proc.name')), [], l(s('=')))]).text).toBe('(a)');
  });

  it('keeps the origin of every character of the original condition', () => {
    const t = withExceptions(original('abc'), [ex('e', s('proc.name'), [s('x')], s('in'))]);
    expect(t.origin.slice(0, 5)).toEqual([-1, 0, 1, 2, -1]);
  });
});

describe('list substitution', () => {
  it('replaces whole-word list names and quotes items with spaces', () => {
    const r = substituteList(original('proc.name in (shells, x) and not shells_x'), 'shells', [
      'bash',
      'my sh',
    ]);
    expect(r.used).toBe(true);
    expect(r.text.text).toBe('proc.name in ( bash, "my sh" , x) and not shells_x');
  });

  it('drops a comma next to an empty list', () => {
    expect(substituteList(original('a.b in (x, empty)'), 'empty', []).text.text).toBe('a.b in (x  )');
  });

  it('reports an unused list', () => {
    expect(substituteList(original('a.b in (x)'), 'nope', ['y']).used).toBe(false);
  });

  it('quotes only unquoted items containing a space', () => {
    expect(quoteItem('a b')).toBe('"a b"');
    expect(quoteItem("'a b'")).toBe("'a b'");
    expect(quoteItem('ab')).toBe('ab');
  });
});
