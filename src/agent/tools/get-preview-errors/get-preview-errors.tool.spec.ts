import { describe, expect, it } from '@jest/globals';
import type { PreviewErrorRecord } from '../../../sandbox/preview-errors/preview-errors.repository.js';
import { expectDescribedSchema, fakeToolContext, TEST_SCOPE } from '../testing/fake-sandbox.js';
import { ToolRegistry } from '../tool-registry.js';
import { getPreviewErrorsTool } from './get-preview-errors.tool.js';

const registry = new ToolRegistry();

const ERROR: PreviewErrorRecord = {
  kind: 'error',
  message: 'TypeError: menu is null',
  source: 'js/app.js',
  line: 3,
  column: 9,
  version: 4,
  at: new Date('2026-11-25T10:00:00Z'),
};

describe('get_preview_errors', () => {
  it("returns the current version's errors of the run's own session", async () => {
    const asked: unknown[] = [];
    const ctx = {
      ...fakeToolContext(),
      previewErrors: {
        ofCurrentVersion: (userId: number, sessionId: string) => {
          asked.push([userId, sessionId]);
          return Promise.resolve([ERROR]);
        },
      },
    };
    expect(await registry.execute('get_preview_errors', '{}', ctx)).toEqual({
      ok: true,
      errors: [{ ...ERROR, at: '2026-11-25T10:00:00.000Z' }],
    });
    expect(asked).toEqual([[TEST_SCOPE.userId, TEST_SCOPE.sessionId]]);
  });

  it('says so when there are none, since an empty list proves little', async () => {
    const ctx = {
      ...fakeToolContext(),
      previewErrors: { ofCurrentVersion: () => Promise.resolve([]) },
    };
    expect(await registry.execute('get_preview_errors', '', ctx)).toEqual({
      ok: true,
      errors: [],
      note: expect.stringContaining('No errors'),
    });
  });

  it('answers a failure result where no preview runs', async () => {
    expect(await registry.execute('get_preview_errors', '{}', fakeToolContext())).toEqual({
      ok: false,
      error: 'Preview errors are not available here',
    });
  });

  it('takes no arguments', () => {
    expectDescribedSchema(getPreviewErrorsTool, []);
  });
});
