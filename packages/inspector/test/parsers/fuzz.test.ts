import {
  EVENT_TABLE,
  encodeEvent,
  encodeEventBlock,
  readScapSync,
  scapSectionHeader,
} from '@sysray/pcapng/scap';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Inspector, loadSyscallRules } from '../../src/index.js';
import { testdata } from '../helpers.js';

/** Event types with parameters the inspector parses (exit events of state-changing syscalls and more). */
const TYPES = EVENT_TABLE.filter(
  (e) =>
    !e.unused &&
    e.name !== 'NA' &&
    /^(open|openat|openat2|creat|close|dup|dup2|dup3|fcntl|socket|socketpair|connect|accept|accept4|bind|listen|pipe|pipe2|eventfd|eventfd2|signalfd|signalfd4|memfd_create|clone|fork|vfork|clone3|execve|execveat|procexit|setuid|setgid|setresuid|setresgid|setreuid|setregid|chdir|fchdir|setns|setsid|setpgid|capset|read|write|container|useradded|groupadded|rename|unlinkat|symlinkat|linkat|ptrace)$/.test(
      e.name,
    ),
).map((e) => e.type);

const ruleset = loadSyscallRules([testdata('falco-rules/falco_rules.yaml')]).ruleset!;

describe('robustness', () => {
  it('never throws on random events with random (often wrong-sized) parameter bytes, with or without rules', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            type: fc.constantFrom(...TYPES),
            tid: fc.integer({ min: -1, max: 6 }),
            params: fc.array(fc.uint8Array({ maxLength: 24 }), { maxLength: 8 }),
          }),
          { maxLength: 60 },
        ),
        (events) => {
          const parts: Uint8Array[] = [scapSectionHeader()];
          let ts = 1n;
          for (const e of events) {
            const n = Math.min(e.params.length, EVENT_TABLE[e.type]!.params.length);
            parts.push(
              encodeEventBlock(
                encodeEvent({ type: e.type, ts: ts++, tid: e.tid, params: e.params.slice(0, n) }),
              ),
            );
          }
          const bytes = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
          let o = 0;
          for (const p of parts) {
            bytes.set(p, o);
            o += p.length;
          }
          const { batch } = readScapSync(bytes);
          const insp = new Inspector({ maxThreads: 4 });
          for (let i = 0; i < batch.count; i++) {
            const ctx = insp.process(batch, i);
            if (ctx) ruleset.evaluateAll(ctx);
          }
          expect(insp.threads.size).toBeLessThanOrEqual(5);
        },
      ),
      { numRuns: 300 },
    );
  });
});
