import { describe, expect, it } from '@jest/globals';
import { AppError } from '../common/errors/app-error.js';
import { MAX_PATH_LENGTH, parseSandboxPath, sandboxPathProblem } from './sandbox-path.js';

describe('parseSandboxPath', () => {
  it.each([
    'index.html',
    'style.css',
    'js/app.js',
    'img/logo.svg',
    'css/site.min.css',
    'My Page.html',
    'a/b/c/d.txt',
    '.well-known/x',
    'x'.repeat(MAX_PATH_LENGTH),
  ])('accepts %j', (path) => {
    expect(parseSandboxPath(path)).toBe(path);
  });

  it.each([
    ['parent segment', '../etc/passwd'],
    ['parent segment in the middle', 'a/../../b'],
    ['bare parent', '..'],
    ['current-dir segment', './index.html'],
    ['percent-encoded traversal, taken literally', '%2e%2e%2fetc%2fpasswd'],
    ['percent-encoded slash', 'a%2fb'],
    ['double-encoded traversal', '%252e%252e%252f'],
    ['backslash', 'js\\app.js'],
    ['backslash traversal', '..\\..\\windows'],
    ['absolute path', '/etc/passwd'],
    ['NUL byte', 'index.html\u0000.png'],
    ['newline', 'a\nb'],
    ['tab', 'a\tb'],
    ['DEL control char', 'a\u007fb'],
    ['empty', ''],
    ['empty segment', 'a//b'],
    ['trailing slash', 'css/'],
    ['over-long name', 'x'.repeat(MAX_PATH_LENGTH + 1)],
    ['non-ASCII look-alike dot', 'a\u2024\u2024/b'],
    ['query-like chars', 'a?b=c'],
    ['colon (drive letter)', 'C:/x'],
    ['leading space', ' a.txt'],
    ['trailing space', 'a.txt '],
  ])('refuses a %s', (_label, path) => {
    expect(() => parseSandboxPath(path)).toThrow(AppError);
    expect(sandboxPathProblem(path)).not.toBeNull();
  });

  it.each([undefined, null, 42, {}, ['a']])('refuses a non-string %j', (value) => {
    expect(sandboxPathProblem(value)).toBe('filename must be a non-empty string');
  });

  it('reports the refusal as a 400-kind error with a readable message', () => {
    try {
      parseSandboxPath('../x');
      throw new Error('expected a refusal');
    } catch (err) {
      expect(err).toBeInstanceOf(AppError);
      expect((err as AppError).kind).toBe('bad_request');
      expect((err as AppError).message).toMatch(/^Invalid filename: .*"\.\."/);
    }
  });
});
