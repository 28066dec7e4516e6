import { readFileSync } from 'node:fs';
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
});
