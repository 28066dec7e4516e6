import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { getMetadataArgsStorage } from 'typeorm';
import { ENTITIES } from './entities.js';

const SRC = join(import.meta.dirname, '..');

describe('the entities of the CLIs', () => {
  it('are every *.entity.ts of src/, so schema:diff checks every table', async () => {
    const files = readdirSync(SRC, { recursive: true, encoding: 'utf8' }).filter((f) =>
      f.endsWith('.entity.ts'),
    );
    for (const file of files) {
      await import(join(SRC, file));
    }
    const declared = new Set(getMetadataArgsStorage().tables.map((t) => t.target));
    expect(declared.size).toBe(files.length);
    expect(new Set(ENTITIES)).toEqual(declared);
  });
});
