import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  type Command,
  CommandRegistry,
  createProgressBar,
  EXIT_INPUT_ERROR,
  EXIT_OK,
  EXIT_USAGE_ERROR,
  runCli,
} from '../src/index.js';
import { collector, DEMO, GENERATOR_DIR, MALFORMED_DIR, sysray, TESTDATA } from './helpers.js';

const version = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

/** Every malformed sample and the code and byte offset the reader gives it (as pinned by @sysray/pcapng's tests). */
const MALFORMED: [file: string, code: string, offset: number][] = [
  ['pcapng-block-len-not-mult4.pcapng', 'BAD_BLOCK_LENGTH', 28],
  ['pcapng-block-len-too-small.pcapng', 'BAD_BLOCK_LENGTH', 28],
  ['pcapng-idb-endofopt-badlen.pcapng', 'BAD_OPTION', 44],
  ['pcapng-idb-tsoffset-badlen.pcapng', 'BAD_OPTION', 44],
  ['pcapng-idb-tsoffset-dup.pcapng', 'DUPLICATE_OPTION', 56],
  ['pcapng-idb-tsresol-badlen.pcapng', 'BAD_OPTION', 44],
  ['pcapng-idb-tsresol-bin-high.pcapng', 'BAD_TIMESTAMP_RESOLUTION', 48],
  ['pcapng-idb-tsresol-dec-high.pcapng', 'BAD_TIMESTAMP_RESOLUTION', 48],
  ['pcapng-idb-tsresol-dup.pcapng', 'DUPLICATE_OPTION', 52],
  ['pcapng-invalid-vers-1.pcapng', 'UNSUPPORTED_VERSION', 12],
  ['pcapng-invalid-vers-2.pcapng', 'UNSUPPORTED_VERSION', 12],
  ['pcapng-packet-before-idb.pcapng', 'UNKNOWN_INTERFACE', 28],
  ['pcapng-shb-len-insane.pcapng', 'BAD_BLOCK_LENGTH', 0],
  ['pcapng-shb-len-too-small.pcapng', 'BAD_BLOCK_LENGTH', 0],
  ['pcapng-truncated-shb.pcapng', 'TRUNCATED', 0],
  ['shb-option-too-long.pcapng', 'LENGTH_MISMATCH', 0],
];

describe('exit code 1: input errors, one line on stderr with code, file and byte offset', () => {
  describe.each(['dump', 'info'])('sysray %s', (command) => {
    it.each(MALFORMED)('%s fails with %s at offset %i', async (file, code, offset) => {
      const path = `${MALFORMED_DIR}${file}`;
      const result = await sysray([command, path, '--json']);
      expect(result.code).toBe(EXIT_INPUT_ERROR);
      const lines = result.stderr.split('\n');
      expect(lines).toHaveLength(2); // one line and its newline
      expect(lines[0]).toMatch(
        new RegExp(`^sysray: ${code}: .+ \\(${path}, block \\d+, offset ${offset}\\)$`),
      );
    });

    it('a capture with no interface (pcapng-no-idb) is read, as tshark and capinfos do; --require-interface fails it as libpcap does', async () => {
      const path = `${MALFORMED_DIR}pcapng-no-idb.pcapng`;
      expect((await sysray([command, path])).code).toBe(EXIT_OK);
      const strict = await sysray([command, path, '--require-interface']);
      expect(strict.code).toBe(EXIT_INPUT_ERROR);
      expect(strict.stderr).toBe(
        `sysray: NO_INTERFACES: the capture file has no Interface Description Blocks (${path}, block 1, offset 28)\n`,
      );
    });

    it('a missing file fails with ENOENT and its name', async () => {
      const result = await sysray([command, '/nonexistent/x.pcapng']);
      expect(result.code).toBe(EXIT_INPUT_ERROR);
      expect(result.stderr).toBe('sysray: ENOENT: no such file (/nonexistent/x.pcapng)\n');
    });

    it('a directory fails with EISDIR', async () => {
      const result = await sysray([command, GENERATOR_DIR]);
      expect(result.code).toBe(EXIT_INPUT_ERROR);
      expect(result.stderr).toMatch(/^sysray: EISDIR: .*\n$/);
    });

    it('the valid sample of the malformed folder (rarp_req_reply) reads cleanly', async () => {
      const result = await sysray([command, `${MALFORMED_DIR}rarp_req_reply.pcapng`]);
      expect([result.code, result.stderr]).toEqual([EXIT_OK, '']);
    });
  });
});

describe('exit code 2: usage errors, with a hint to --help', () => {
  it.each([
    [[], /^sysray [\d.]+: /],
    [['frobnicate'], /^sysray: unknown command 'frobnicate'\nTry 'sysray --help'\.\n$/],
    [['--frob'], /^sysray: unknown option '--frob'\n/],
    [['dump'], /^sysray dump: missing FILE argument\nTry 'sysray dump --help'\.\n$/],
    [['info'], /^sysray info: missing FILE argument\n/],
    [['dump', 'a.pcapng', 'b.pcapng'], /^sysray dump: unexpected argument 'b\.pcapng'\n/],
    [['dump', DEMO, '--frob'], /^sysray dump: unknown option '--frob'\nTry 'sysray dump --help'\.\n$/],
    [['info', DEMO, '--json=yes'], /^sysray info: option '(-j, )?--json' does not take an argument\n/],
    [['help', 'nope'], /^sysray: unknown command 'nope'\n/],
  ])('sysray %j exits 2', async (argv, stderr) => {
    const result = await sysray(argv as string[]);
    expect(result.code).toBe(EXIT_USAGE_ERROR);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(stderr);
  });
});

describe('--help and --version', () => {
  it('sysray --help lists every command with its summary and exits 0', async () => {
    for (const flag of ['--help', '-h', 'help']) {
      const result = await sysray([flag]);
      expect(result.code).toBe(EXIT_OK);
      expect(result.stdout).toMatch(/^Usage: sysray COMMAND/m);
      expect(result.stdout).toMatch(/^ {2}info +summarise a pcapng file/m);
      expect(result.stdout).toMatch(/^ {2}dump +print every block/m);
    }
  });

  it.each(['dump', 'info'])(
    'sysray %s --help shows usage, options and examples and exits 0, even with other arguments',
    async (command) => {
      for (const argv of [
        [command, '--help'],
        [command, '-h'],
        [command, 'x.pcapng', '--help'],
        ['help', command],
      ]) {
        const result = await sysray(argv);
        expect(result.code).toBe(EXIT_OK);
        expect(result.stderr).toBe('');
        expect(result.stdout).toContain(`Usage: sysray ${command} [options] FILE`);
        expect(result.stdout).toMatch(/^ {2}-j, --json +/m);
        expect(result.stdout).toMatch(/^Examples:\n {2}sysray /m);
      }
    },
  );

  it('sysray --version prints the package version', async () => {
    for (const flag of ['--version', '-V'])
      expect(await sysray([flag])).toEqual({ code: 0, stdout: `sysray ${version}\n`, stderr: '' });
  });
});

describe('command registry', () => {
  const greet: Command = {
    name: 'rules list',
    summary: 'list rules',
    arguments: [{ name: 'FILE', description: 'rules files', variadic: true }],
    options: {
      tag: { type: 'string', multiple: true, description: 'only rules with this tag', valueName: 'TAG' },
    },
    examples: [{ command: 'sysray rules list falco_rules.yaml', description: 'every rule' }],
    run({ args, options, stdout }) {
      stdout.line(`${args.join(',')} ${JSON.stringify(options.tag ?? [])}`);
      return 0;
    },
  };
  const registry = new CommandRegistry([greet]);
  const run = async (argv: string[]) => {
    const stdout = collector();
    const stderr = collector();
    const code = await runCli(argv, { stdout, stderr }, { registry });
    return { code, out: stdout.text, err: stderr.text };
  };

  it('dispatches multi-word commands with variadic arguments and repeated options', async () => {
    expect(await run(['rules', 'list', 'a.yaml', 'b.yaml', '--tag', 'x', '--tag', 'y'])).toEqual({
      code: 0,
      out: 'a.yaml,b.yaml ["x","y"]\n',
      err: '',
    });
  });

  it('lists a group’s commands for `sysray rules --help`, and rejects an unknown member with exit 2', async () => {
    const help = await run(['rules', '--help']);
    expect(help.code).toBe(0);
    expect(help.out).toMatch(/^ {2}rules list +list rules$/m);
    const bad = await run(['rules', 'frob']);
    expect(bad.code).toBe(EXIT_USAGE_ERROR);
    expect(bad.err).toMatch(/^sysray rules: unknown command 'rules frob'/);
    expect((await run(['rules'])).code).toBe(EXIT_USAGE_ERROR);
  });

  it('refuses to register a name twice', () => {
    expect(() => registry.add(greet)).toThrow(/registered twice/);
  });
});

describe('progress bar', () => {
  it('is drawn on a terminal stderr, erased at the end, and leaves stdout alone', async () => {
    const stdout = collector();
    const stderr = collector({ isTTY: true, columns: 60 });
    const code = await runCli(['info', DEMO], { stdout, stderr }, { progressDelayMs: 0 });
    expect(code).toBe(0);
    expect(stderr.text).toMatch(/^\r.*demo\.pcapng \[#+\] 100% {2}6\.\d kB \/ 6\.\d kB\x1b\[K\r\x1b\[K$/);
    expect(stdout.text).toMatch(/^File name:/);
  });

  it('is never drawn when stderr is not a terminal, or with --no-progress', async () => {
    expect((await sysray(['info', DEMO], { progressDelayMs: 0 })).stderr).toBe('');
    const stderr = collector({ isTTY: true });
    await runCli(['info', DEMO, '--no-progress'], { stdout: collector(), stderr }, { progressDelayMs: 0 });
    expect(stderr.text).toBe('');
  });

  it('is drawn for the SysFlow commands too (graph -o, print, policy run, convert), and --no-progress turns it off', async () => {
    const sf = `${TESTDATA}sysflow-traces/shellshock.sf`;
    const out = join(mkdtempSync(join(tmpdir(), 'sysray-progress-')), 'g.json');
    for (const argv of [
      ['graph', sf, '-o', out],
      ['print', sf],
      ['convert', `${TESTDATA}sysflow-pairs/setuid_setuid.scap`, '-o', `${out}.sf`],
    ]) {
      const stderr = collector({ isTTY: true, columns: 80 });
      expect(await runCli(argv, { stdout: collector(), stderr }, { progressDelayMs: 0 })).toBe(0);
      expect(stderr.text, argv[0]).toMatch(/\[#+\] 100% .*\x1b\[K\r\x1b\[K$/);
      const quiet = collector({ isTTY: true });
      await runCli(
        [...argv, '--no-progress'],
        { stdout: collector(), stderr: quiet },
        { progressDelayMs: 0 },
      );
      expect(quiet.text, argv[0]).toBe('');
    }
    // print writes to stdout as it reads: no bar when stdout is the same terminal.
    const shared = collector({ isTTY: true });
    await runCli(
      ['print', sf],
      { stdout: collector({ isTTY: true }), stderr: shared },
      { progressDelayMs: 0 },
    );
    expect(shared.text).toBe('');
  });

  it('stays off for dump when stdout is the same terminal (the lines show the progress)', async () => {
    const stderr = collector({ isTTY: true });
    await runCli(['dump', DEMO], { stdout: collector({ isTTY: true }), stderr }, { progressDelayMs: 0 });
    expect(stderr.text).toBe('');
  });

  it('throttles redraws and draws nothing for reads shorter than its delay', () => {
    let t = 0;
    const stream = collector();
    const bar = createProgressBar(stream, { total: 100, delayMs: 300, intervalMs: 100, now: () => t });
    bar.update(10);
    t = 299;
    bar.update(20);
    expect(stream.text).toBe('');
    t = 300;
    bar.update(30);
    t = 350;
    bar.update(40);
    expect(stream.text.match(/\r/g)).toHaveLength(1);
    expect(stream.text).toContain(' 30%');
    bar.done();
    expect(stream.text.endsWith('\r\x1b[K')).toBe(true);
  });
});
