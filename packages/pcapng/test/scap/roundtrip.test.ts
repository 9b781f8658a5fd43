import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readPcapngSync } from '@sysray/pcapng';
import { readScap, readScapSync, ScapEvent, writeScap, writeScapSync } from '@sysray/pcapng/scap';
import { describe, expect, test } from 'vitest';
import { captureFiles, isGzip, plainBytes } from './helpers.js';

const files = captureFiles();

function eventsJson(bytes: Uint8Array): string[] {
  const { batch } = readScapSync(bytes);
  const ev = new ScapEvent();
  const out: string[] = [];
  for (let i = 0; i < batch.count; i++) {
    ev.load(batch, i);
    out.push(`${ev.blockType}/${ev.dumpFlags}/${JSON.stringify(ev)}`);
  }
  return out;
}

describe('round trip of every shared capture', () => {
  test('the shared test data holds the captures the issue names', () => {
    expect(files.length).toBeGreaterThanOrEqual(9);
    expect(files.some((f) => f.endsWith('curl_google.scap'))).toBe(true);
  });

  for (const file of files) {
    const name = file.split('/').slice(-2).join('/');
    test(`${name}: copying and re-encoding every event both give the input's bytes back`, () => {
      const plain = plainBytes(file);
      const { batch } = readScapSync(plain);
      expect(batch.count).toBeGreaterThan(0);
      const copied = writeScapSync([batch], 'copy');
      expect(Buffer.compare(Buffer.from(copied), Buffer.from(plain))).toBe(0);
      const encoded = writeScapSync([batch], 'encode');
      expect(Buffer.compare(Buffer.from(encoded), Buffer.from(plain))).toBe(0);
    });

    test(`${name}: streaming read then streaming write reads back to identical events`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'scap-rt-'));
      const out = join(dir, 'copy.scap');
      const reader = readScap(file);
      const written = await writeScap(reader, out, 'encode');
      const back = new Uint8Array(readFileSync(out));
      expect(written.bytes).toBe(back.length);
      const original = plainBytes(file);
      expect(eventsJson(back)).toEqual(eventsJson(original));
      // Uncompressed inputs come back byte for byte; gzip inputs come back as their decompressed bytes.
      expect(Buffer.compare(Buffer.from(back), Buffer.from(original))).toBe(0);
      expect(isGzip(file) || Buffer.compare(Buffer.from(readFileSync(file)), Buffer.from(back)) === 0).toBe(
        true,
      );
    });
  }

  test('the core pcapng reader sees the same event blocks the scap reader turns into events', () => {
    for (const file of files) {
      const plain = plainBytes(file);
      let eventBlocks = 0;
      for (const b of readPcapngSync(plain)) {
        if (b.type === 'UNKNOWN' && [0x204, 0x208, 0x216, 0x217, 0x221, 0x222].includes(b.blockType))
          eventBlocks++;
      }
      expect(readScapSync(plain).batch.count).toBe(eventBlocks);
    }
  });
});
