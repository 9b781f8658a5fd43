import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import peggy from 'peggy';
import { describe, expect, it } from 'vitest';

const dir = fileURLToPath(new URL('../../src/grammar/', import.meta.url));

describe('generated parser', () => {
  it('is what peggy generates from condition.peggy (run `pnpm gen` after editing the grammar)', () => {
    const grammar = readFileSync(`${dir}condition.peggy`, 'utf8');
    const committed = readFileSync(`${dir}generated/condition.js`, 'utf8');
    const generated = peggy.generate(grammar, {
      output: 'source',
      format: 'es',
      grammarSource: 'src/grammar/condition.peggy',
    });
    expect(generated).toBe(committed);
  });
});
