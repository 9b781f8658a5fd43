import { EVENT_TABLE, eventTypesByName, flagNames, type ScapParamInfo } from '@sysray/pcapng/scap';
import { describe, expect, it } from 'vitest';
import { AT_FDCWD, symbolicParam } from '../src/index.js';

function param(event: string, name: string): ScapParamInfo {
  const types = eventTypesByName(event).filter((t) => t & 1);
  const info = EVENT_TABLE[types[types.length - 1]!]!;
  return info.params.find((p) => p.name === name)!;
}

describe('symbolicParam', () => {
  it('turns flag names into the PPM values the event table names them by, in any combination', () => {
    const flags = param('openat', 'flags');
    for (const [text, names] of [
      ['O_RDONLY', ['O_RDONLY']],
      ['O_WRONLY|O_TRUNC', ['O_TRUNC', 'O_WRONLY']],
      ['O_RDWR | O_CREAT | O_CLOEXEC', ['O_CREAT', 'O_RDWR', 'O_CLOEXEC']],
    ] as const) {
      const value = symbolicParam(flags, text) as number;
      expect(flagNames('file_flags', value)).toEqual(names);
    }
    expect(symbolicParam(flags, ['O_WRONLY', 'O_APPEND'])).toBe(symbolicParam(flags, 'O_WRONLY|O_APPEND'));
    expect(symbolicParam(flags, 3)).toBe(3);
    expect(() => symbolicParam(flags, 'O_NOPE')).toThrow(
      /unknown flag 'O_NOPE' for 'flags' \(one of .*O_RDONLY/,
    );
  });

  it('names enum values (socket families, ptrace requests) exactly', () => {
    const domain = param('socket', 'domain');
    expect(flagNames('socket_families', symbolicParam(domain, 'AF_PACKET') as number, true)).toEqual([
      'AF_PACKET',
    ]);
    const request = param('ptrace', 'request');
    expect(flagNames('ptrace_requests', symbolicParam(request, 'PTRACE_TRACEME') as number, true)).toEqual([
      'PTRACE_TRACEME',
    ]);
  });

  it('reads AT_FDCWD, errno names and octal/hex integers, and leaves other values alone', () => {
    expect(symbolicParam(param('openat', 'dirfd'), 'AT_FDCWD')).toBe(AT_FDCWD);
    expect(symbolicParam(param('openat', 'fd'), '-ENOENT')).toBe(-2);
    expect(symbolicParam(param('connect', 'res'), 'EINPROGRESS')).toBe(-115);
    expect(symbolicParam(param('openat', 'mode'), '0644')).toBe(0o644);
    expect(symbolicParam(param('openat', 'mode'), '0x1ff')).toBe(0o777);
    expect(symbolicParam(param('openat', 'ino'), '18446744073709551615')).toBe(18446744073709551615n);
    expect(symbolicParam(param('openat', 'name'), '/etc/hosts')).toBe('/etc/hosts');
    expect(() => symbolicParam(param('openat', 'fd'), 'three')).toThrow(
      "'three' is not a value for FD parameter 'fd'",
    );
  });
});
