import { lookup } from 'mime-types';

/** The Content-Type a sandbox file is served with, chosen by its extension; text gets an explicit charset. */
export function contentTypeFor(path: string): string {
  const type = lookup(path) || 'application/octet-stream';
  const isText = type.startsWith('text/') || /(javascript|json|xml|svg)/.test(type);
  return isText ? `${type}; charset=utf-8` : type;
}
