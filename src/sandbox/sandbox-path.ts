import { badRequest } from '../common/errors/app-error.js';

export const MAX_PATH_LENGTH = 255;

/** Letters, digits, dot, underscore, hyphen and space — nothing a shell, URL or file system reads specially. */
const SEGMENT = /^[A-Za-z0-9._ -]+$/;

/** Why a path was refused, or null when it is fine. */
export function sandboxPathProblem(path: unknown): string | null {
  if (typeof path !== 'string' || path.length === 0) {
    return 'filename must be a non-empty string';
  }
  if (path.length > MAX_PATH_LENGTH) {
    return `filename must be at most ${MAX_PATH_LENGTH} characters`;
  }
  if (path.startsWith('/')) {
    return 'filename must be a relative path';
  }
  if (path.includes('\\')) {
    return 'filename must use "/" to separate folders';
  }
  for (const segment of path.split('/')) {
    if (segment === '') {
      return 'filename must not contain empty path segments';
    }
    if (segment === '.' || segment === '..') {
      return 'filename must not contain "." or ".." segments';
    }
    if (!SEGMENT.test(segment)) {
      return 'filename may contain only letters, digits, ".", "_", "-", spaces and "/" between folders';
    }
    if (segment !== segment.trim()) {
      return 'filename segments must not start or end with a space';
    }
  }
  return null;
}

/**
 * The one check every sandbox path goes through, from the REST API and from the agent's tools alike.
 * Paths are taken literally: a "%2e%2e%2f" from the model is refused for its "%", not decoded.
 */
export function parseSandboxPath(path: unknown): string {
  const problem = sandboxPathProblem(path);
  if (problem) {
    throw badRequest(`Invalid filename: ${problem}`);
  }
  return path as string;
}
