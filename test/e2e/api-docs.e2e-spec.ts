import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { renderApiDocs, type OpenApiDocument } from '../../src/docs/render-api-docs.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

describe('docs/api.md', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('is what the running service’s OpenAPI document renders to (run `npm run docs:api` after an API change)', async () => {
    const res = await t.http.get('/api/docs-json');
    expect(res.status).toBe(200);
    const expected = renderApiDocs(res.body as OpenApiDocument);
    // Compared line by line, so a failure shows which routes or fields drifted.
    expect(readFileSync('docs/api.md', 'utf8').split('\n')).toEqual(expected.split('\n'));
  });

  it('docs/openapi.json is the running service’s document (run `npm run docs:api`)', async () => {
    const res = await t.http.get('/api/docs-json');
    const committed = JSON.parse(readFileSync('docs/openapi.json', 'utf8'));
    // The served document carries the app's title and description; the paths and shapes must agree.
    expect(committed.paths).toEqual(res.body.paths);
    expect(committed.components).toEqual(res.body.components);
  });

  it('the console’s typed client is generated from docs/openapi.json (run `npm run docs:api`)', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'aeio-types-')), 'schema.d.ts');
    execFileSync('node_modules/.bin/openapi-typescript', ['docs/openapi.json', '-o', out], {
      stdio: 'pipe',
    });
    expect(readFileSync('web/src/api/schema.d.ts', 'utf8').split('\n')).toEqual(
      readFileSync(out, 'utf8').split('\n'),
    );
  });
});
