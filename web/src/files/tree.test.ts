// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { ancestorsOf, buildTree, visibleNodes } from './tree';

const files = [
  { name: 'index.html', size: 10 },
  { name: 'css/site.css', size: 20 },
  { name: 'assets/img/Logo.svg', size: 30 },
  { name: 'about.html', size: 5 },
  { name: 'assets/a.png', size: 40 },
];

describe('buildTree', () => {
  it('makes folders from the slashes, folders first, then names case-insensitively', () => {
    const tree = buildTree(files);
    expect(tree.map((n) => [n.path, n.folder])).toEqual([
      ['assets', true],
      ['css', true],
      ['about.html', false],
      ['index.html', false],
    ]);
    const assets = tree[0];
    expect(assets.children.map((n) => n.path)).toEqual(['assets/img', 'assets/a.png']);
    expect(assets.children[0].children).toEqual([
      { path: 'assets/img/Logo.svg', name: 'Logo.svg', folder: false, size: 30, children: [] },
    ]);
  });

  it('is empty for an empty sandbox', () => {
    expect(buildTree([])).toEqual([]);
  });
});

describe('visibleNodes', () => {
  it('shows a folder’s children only when it is expanded, with levels and parents', () => {
    const tree = buildTree(files);
    expect(visibleNodes(tree, new Set()).map((r) => r.node.path)).toEqual([
      'assets',
      'css',
      'about.html',
      'index.html',
    ]);
    const rows = visibleNodes(tree, new Set(['assets', 'assets/img']));
    expect(rows.map((r) => [r.node.path, r.level, r.parent?.path ?? null])).toEqual([
      ['assets', 1, null],
      ['assets/img', 2, 'assets'],
      ['assets/img/Logo.svg', 3, 'assets/img'],
      ['assets/a.png', 2, 'assets'],
      ['css', 1, null],
      ['about.html', 1, null],
      ['index.html', 1, null],
    ]);
  });

  it('hides the children of an expanded folder inside a closed one', () => {
    const rows = visibleNodes(buildTree(files), new Set(['assets/img']));
    expect(rows.map((r) => r.node.path)).not.toContain('assets/img/Logo.svg');
  });
});

describe('ancestorsOf', () => {
  it('lists the folders that hold a path, outermost first', () => {
    expect(ancestorsOf('a/b/c.txt')).toEqual(['a', 'a/b']);
    expect(ancestorsOf('index.html')).toEqual([]);
  });
});
