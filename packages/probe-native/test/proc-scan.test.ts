import { closeSync, mkdtempSync, openSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readScapSync, ScapFdType, scapSectionHeader } from '@sysray/pcapng/scap';
import { describe, expect, it } from 'vitest';
import { openFlagsToScap, scanProc } from '../src/index.js';

function capture(blocks: Uint8Array[]): Uint8Array {
  const parts = [scapSectionHeader(), ...blocks];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

describe('openFlagsToScap', () => {
  it('maps Linux open flags to the PPM_O_* bits', () => {
    expect(openFlagsToScap(0)).toBe(1); // O_RDONLY
    expect(openFlagsToScap(0o1 | 0o100 | 0o1000)).toBe(2 | 4 | 256); // O_WRONLY|O_CREAT|O_TRUNC
    expect(openFlagsToScap(0o2 | 0o2000 | 0o2000000)).toBe(3 | 8 | 4096); // O_RDWR|O_APPEND|O_CLOEXEC
    expect(openFlagsToScap(0o4010000)).toBe(1 | 16 | 128); // O_SYNC includes O_DSYNC
  });
});

describe('scanProc', () => {
  it('lists this process with the values /proc gives, and its open files and listening sockets', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sysray-scan-'));
    const fd = openSync(join(dir, 'held.txt'), 'a');
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    try {
      const snap = scanProc();
      const me = snap.threads.find((t) => t.tid === process.pid)!;
      expect(me.pid).toBe(process.pid);
      expect(me.ptid).toBe(process.ppid);
      expect(me.exepath).toBe(readlinkSync('/proc/self/exe'));
      expect(me.cwd).toBe(process.cwd());
      expect(me.comm).toBe(readFileSync('/proc/self/comm', 'utf8').trim());
      expect(me.args).toEqual(readFileSync('/proc/self/cmdline', 'utf8').split('\0').slice(1, -1));
      expect(me.uid).toBe(process.geteuid!());
      const fds = snap.fds.get(process.pid)!;
      const held = fds.find((f) => f.fd === fd)!;
      expect(held.type).toBe(ScapFdType.FILE_V2);
      expect(held.name).toBe(join(dir, 'held.txt'));
      expect(held.openFlags! & 8).toBe(8); // O_APPEND
      const listen = fds.find((f) => f.type === ScapFdType.IPV4_SERVSOCK && f.sport === port);
      expect(listen?.sip).toBe('127.0.0.1');

      // the blocks read back as a capture's process and fd lists
      const info = readScapSync(capture(snap.blocks)).info;
      expect(info.machineInfo?.hostname).toBeTruthy();
      expect(info.threads.get(process.pid)?.exepath).toBe(me.exepath);
      expect(
        info.fds.some((f) => f.tid === process.pid && f.fd === fd && f.name === join(dir, 'held.txt')),
      ).toBe(true);
    } finally {
      closeSync(fd);
      server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('skips the processes it is told to skip', () => {
    const snap = scanProc(new Set([process.pid]));
    expect(snap.threads.some((t) => t.pid === process.pid)).toBe(false);
    expect(snap.fds.has(process.pid)).toBe(false);
  });
});
