import {
  badRequest,
  conflict,
  notFound,
  payloadTooLarge,
} from '../../../common/errors/app-error.js';
import type { FileListing, SandboxScope } from '../../../sandbox/sandbox.service.js';
import { quotaProblem, type QuotaLimits } from '../../../sandbox/quota.js';
import { parseSandboxPath } from '../../../sandbox/sandbox-path.js';
import { expect } from '@jest/globals';
import type { AgentTool, ToolContext } from '../agent-tool.js';

type SandboxPort = ToolContext['sandbox'];

/**
 * An in-memory stand-in for SandboxService with the same contract: the real path and quota rules, and the
 * same AppError kinds (bad_request, not_found, payload_too_large), always as rejected promises.
 */
export class FakeSandbox implements SandboxPort {
  private readonly sandboxes = new Map<string, Map<string, string>>();

  constructor(readonly limits: QuotaLimits = { maxFileBytes: 10_000, maxSessionBytes: 50_000 }) {}

  list(scope: SandboxScope): Promise<FileListing> {
    return later(() => this.listNow(scope));
  }

  readText(
    scope: SandboxScope,
    rawPath: unknown,
  ): Promise<{ filename: string; content: string; size: number }> {
    return later(() => {
      const filename = parseSandboxPath(rawPath);
      const content = this.filesOf(scope).get(filename);
      if (content === undefined) {
        throw notFound(`File not found: ${filename}`);
      }
      return { filename, content, size: Buffer.byteLength(content, 'utf8') };
    });
  }

  write(
    scope: SandboxScope,
    rawPath: unknown,
    content: string,
  ): Promise<{ filename: string; size: number }> {
    return later(() => {
      const filename = parseSandboxPath(rawPath);
      const files = this.filesOf(scope);
      const newSize = Buffer.byteLength(content, 'utf8');
      const old = files.get(filename);
      const oldSize = old === undefined ? 0 : Buffer.byteLength(old, 'utf8');
      const problem = quotaProblem(
        { sessionBytes: this.listNow(scope).total_size, oldSize, newSize },
        this.limits,
      );
      if (problem) {
        throw payloadTooLarge(problem);
      }
      files.set(filename, content);
      return { filename, size: newSize };
    });
  }

  remove(scope: SandboxScope, rawPath: unknown): Promise<void> {
    return later(() => {
      const filename = parseSandboxPath(rawPath);
      if (!this.filesOf(scope).delete(filename)) {
        throw notFound(`File not found: ${filename}`);
      }
    });
  }

  move(
    scope: SandboxScope,
    rawFrom: unknown,
    rawTo: unknown,
  ): Promise<{ from: string; to: string; size: number }> {
    return later(() => {
      const from = parseSandboxPath(rawFrom);
      const to = parseSandboxPath(rawTo);
      const files = this.filesOf(scope);
      const content = files.get(from);
      if (from === to) {
        throw badRequest(`${from} is already at that path`);
      }
      if (files.has(to)) {
        throw conflict(`${to} already exists; delete it first or choose another name`);
      }
      if (content === undefined) {
        throw notFound(`File not found: ${from}`);
      }
      files.delete(from);
      files.set(to, content);
      return { from, to, size: Buffer.byteLength(content, 'utf8') };
    });
  }

  /** Test helper: the content of a file, or undefined when there is none. */
  contentOf(scope: SandboxScope, filename: string): string | undefined {
    return this.filesOf(scope).get(filename);
  }

  /** Test helper: the file names of a sandbox, sorted. */
  names(scope: SandboxScope): string[] {
    return this.listNow(scope).files.map((f) => f.name);
  }

  /** Test helper: puts a file in place without any checks. */
  seed(scope: SandboxScope, filename: string, content: string): void {
    this.filesOf(scope).set(filename, content);
  }

  private listNow(scope: SandboxScope): FileListing {
    const files = [...this.filesOf(scope).entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([name, content]) => ({ name, size: Buffer.byteLength(content, 'utf8') }));
    return { files, total_size: files.reduce((sum, f) => sum + f.size, 0) };
  }

  private filesOf(scope: SandboxScope): Map<string, string> {
    const key = `${scope.userId}/${scope.sessionId}`;
    let files = this.sandboxes.get(key);
    if (!files) {
      files = new Map();
      this.sandboxes.set(key, files);
    }
    return files;
  }
}

/** Runs `fn` on a later tick, so its throw becomes a rejection as with the real (database) service. */
const later = <T>(fn: () => T): Promise<T> => Promise.resolve().then(fn);

export const TEST_SCOPE: SandboxScope = { userId: 1, sessionId: 'a'.repeat(32) };

/** A tool context over a fresh fake sandbox. */
export function fakeToolContext(
  limits?: QuotaLimits,
  scope: SandboxScope = TEST_SCOPE,
): ToolContext & { sandbox: FakeSandbox } {
  return { sandbox: new FakeSandbox(limits), scope };
}

/**
 * The schema rule every tool keeps: an object whose properties are exactly `fields`, each with a
 * description, all required.
 */
export function expectDescribedSchema(tool: AgentTool, fields: string[]): void {
  const schema = tool.parameters as {
    type: string;
    properties: Record<string, { description?: string }>;
    required?: string[];
  };
  expect(schema.type).toBe('object');
  expect(Object.keys(schema.properties).sort()).toEqual([...fields].sort());
  for (const property of Object.values(schema.properties)) {
    expect(property.description).toEqual(expect.stringMatching(/\w{3,}/));
  }
  expect([...(schema.required ?? [])].sort()).toEqual([...fields].sort());
}
