import { describe, expect, it } from '@jest/globals';
import { fakeToolContext, TEST_SCOPE } from '../testing/fake-sandbox.js';
import { ToolRegistry } from '../tool-registry.js';

/**
 * The matching fallbacks after exact and whitespace-insensitive (issue 19 item 4), through the tool as
 * the agent calls it: which strategy matched is in the result, and an ambiguous match is refused.
 */
const registry = new ToolRegistry();

function withFile(name: string, content: string, bytes = 10_000) {
  const ctx = fakeToolContext({ maxFileBytes: bytes, maxSessionBytes: bytes });
  ctx.sandbox.seed(TEST_SCOPE, name, content);
  const edit = (args: Record<string, unknown>) =>
    registry.execute('edit_file', JSON.stringify({ filename: name, ...args }), ctx);
  return { edit, content: () => ctx.sandbox.contentOf(TEST_SCOPE, name) };
}

const NAV = [
  '<body>',
  '  <nav>',
  '    <ul>',
  '      <li><a href="#menu">Menu</a></li>',
  '      <li><a href="#visit">Visit</a></li>',
  '    </ul>',
  '  </nav>',
  '</body>',
  '',
].join('\n');

describe('edit_file: indentation-tolerant blocks (aider)', () => {
  it('matches a block written without its indentation and shifts new_string to the file’s', async () => {
    const file = withFile('index.html', NAV);
    const result = await file.edit({
      old_string: '<ul>\n  <li><a href="#menu">Menu</a></li>',
      new_string: '<ul>\n  <li><a href="#home">Home</a></li>\n  <li><a href="#menu">Menu</a></li>',
    });
    expect(result).toMatchObject({
      ok: true,
      edits: [{ match: 'indentation-tolerant', replacements: 1 }],
    });
    // Whitespace-insensitive matching alone would have written new_string at column 0.
    expect(file.content()).toBe(
      NAV.replace(
        '      <li><a href="#menu">',
        '      <li><a href="#home">Home</a></li>\n      <li><a href="#menu">',
      ),
    );
  });

  it('shifts new_string left when the model indented the block more than the file', async () => {
    const file = withFile('style.css', 'a {\n  color: red;\n}\n');
    const result = await file.edit({
      old_string: '    a {\n      color: red;\n    }',
      new_string: '    a {\n      color: blue;\n\n      margin: 0;\n    }',
    });
    expect(result).toMatchObject({ edits: [{ match: 'indentation-tolerant' }] });
    expect(file.content()).toBe('a {\n  color: blue;\n\n  margin: 0;\n}\n');
  });

  it('keeps the file’s own indentation characters (tabs)', async () => {
    const file = withFile('app.js', 'function go() {\n\tif (x) {\n\t\trun();\n\t}\n}\n');
    const result = await file.edit({
      old_string: 'if (x) {\n  run();\n}',
      new_string: 'if (x) {\n  run();\n  log();\n}',
    });
    // Relative indentation is counted in characters: two spaces are not one tab.
    expect(result).toMatchObject({ edits: [{ match: 'whitespace-insensitive' }] });
    const tabbed = withFile('app.js', 'function go() {\n\tif (x) {\n\t\trun();\n\t}\n}\n');
    expect(
      await tabbed.edit({
        old_string: 'if (x) {\n\trun();\n}',
        new_string: 'if (x) {\n\trun();\n\tlog();\n}',
      }),
    ).toMatchObject({ edits: [{ match: 'indentation-tolerant' }] });
    expect(tabbed.content()).toBe('function go() {\n\tif (x) {\n\t\trun();\n\t\tlog();\n\t}\n}\n');
  });

  it('refuses a block that fits two places at different indentations, naming the count', async () => {
    const file = withFile(
      'a.js',
      'if (a) {\n  go();\n}\nfunction f() {\n  if (a) {\n    go();\n  }\n}\n',
    );
    const before = file.content();
    expect(
      await file.edit({ old_string: '   if (a) {\n     go();\n   }', new_string: 'stop();' }),
    ).toEqual({
      ok: false,
      error:
        'old_string matches 2 places when indentation is ignored in a.js; include more context so it is unique',
    });
    expect(file.content()).toBe(before);
  });

  it('with replace_all, shifts each copy by its own indentation', async () => {
    const file = withFile('a.css', '.a {\n  b: 1;\n}\n@media (x) {\n  .a {\n    b: 1;\n  }\n}\n');
    const result = await file.edit({
      old_string: '.a {\nb: 1;\n}',
      new_string: '.a {\nb: 2;\n}',
      replace_all: true,
    });
    // The block's own relative indentation (0, 0) differs from the file's (0, 2): whitespace-insensitive.
    expect(result).toMatchObject({ edits: [{ match: 'whitespace-insensitive', replacements: 2 }] });
    const shaped = withFile('a.css', '.a {\n  b: 1;\n}\n@media (x) {\n  .a {\n    b: 1;\n  }\n}\n');
    expect(
      await shaped.edit({
        old_string: '    .a {\n      b: 1;\n    }',
        new_string: '    .a {\n      b: 2;\n    }',
        replace_all: true,
      }),
    ).toMatchObject({ edits: [{ match: 'indentation-tolerant', replacements: 2 }] });
    expect(shaped.content()).toBe('.a {\n  b: 2;\n}\n@media (x) {\n  .a {\n    b: 2;\n  }\n}\n');
  });
});

describe('edit_file: escape-normalised text (OpenCode)', () => {
  const PAGE = '<a class="btn" href="#order">Order</a>\n<p>Fresh bread.\nEvery day.</p>\n';

  it('undoes one level of escaping in old_string and new_string alike', async () => {
    const file = withFile('index.html', PAGE);
    const result = await file.edit({
      old_string: '<a class=\\"btn\\" href=\\"#order\\">Order</a>',
      new_string: '<a class=\\"btn primary\\" href=\\"#order\\">Order now</a>',
    });
    expect(result).toMatchObject({
      ok: true,
      edits: [{ match: 'escape-normalized', replacements: 1 }],
    });
    expect(file.content()).toBe(
      PAGE.replace('"btn"', '"btn primary"').replace('Order<', 'Order now<'),
    );
  });

  it('reads a literal \\n as the line break it stood for', async () => {
    const file = withFile('index.html', PAGE);
    const result = await file.edit({
      old_string: '<p>Fresh bread.\\nEvery day.</p>',
      new_string: '<p>Fresh bread.\\nEvery day,\\tfrom 7.</p>',
    });
    expect(result).toMatchObject({ edits: [{ match: 'escape-normalized' }] });
    expect(file.content()).toContain('<p>Fresh bread.\nEvery day,\tfrom 7.</p>');
  });

  it('leaves escapes alone when old_string matches exactly (source that holds them)', async () => {
    const file = withFile('app.js', 'const sep = "\\n";\n');
    const result = await file.edit({
      old_string: 'const sep = "\\n";',
      new_string: 'const sep = "\\t";',
    });
    expect(result).toMatchObject({ edits: [{ match: 'exact' }] });
    expect(file.content()).toBe('const sep = "\\t";\n');
  });

  it('refuses an unescaped old_string that occurs twice, naming the count', async () => {
    const file = withFile('index.html', '<b class="x">1</b>\n<b class="x">2</b>\n');
    expect(await file.edit({ old_string: 'class=\\"x\\"', new_string: 'class="y"' })).toEqual({
      ok: false,
      error: expect.stringMatching(/^old_string matches 2 places once its escapes .* are undone/),
    });
    expect(file.content()).toBe('<b class="x">1</b>\n<b class="x">2</b>\n');
  });
});

describe('edit_file: first/last-line anchors with a similarity threshold (Cline)', () => {
  const CARDS = [
    '<section class="menu">',
    '  <article class="card">',
    '    <h3>Sourdough</h3>',
    '    <p>Slow-fermented for 36 hours.</p>',
    '    <span class="price">€6</span>',
    '  </article>',
    '</section>',
    '',
  ].join('\n');

  it('replaces the one block whose anchors match and whose middle is alike, and says how alike', async () => {
    const file = withFile('index.html', CARDS);
    // The model misremembers one middle line (48 hours).
    const result = await file.edit({
      old_string:
        '  <article class="card">\n    <h3>Sourdough</h3>\n    <p>Slow-fermented for 48 hours.</p>\n' +
        '    <span class="price">€6</span>\n  </article>',
      new_string: '  <article class="card">\n    <h3>Sourdough</h3>\n  </article>',
    });
    expect(result).toMatchObject({
      ok: true,
      edits: [{ match: 'block-anchors', replacements: 1, similarity: expect.any(Number) }],
    });
    const { similarity } = (result as unknown as { edits: { similarity: number }[] }).edits[0];
    expect(similarity).toBeGreaterThanOrEqual(0.5);
    expect(similarity).toBeLessThan(1);
    expect(file.content()).toBe(
      '<section class="menu">\n  <article class="card">\n    <h3>Sourdough</h3>\n  </article>\n</section>\n',
    );
  });

  it('finds a block one line longer than old_string by its last line', async () => {
    const file = withFile('index.html', CARDS);
    const result = await file.edit({
      old_string:
        '  <article class="card">\n    <h3>Sourdough</h3>\n    <span class="price">€6</span>\n  </article>',
      new_string: '  <article class="card">\n    <h3>Rye</h3>\n  </article>',
    });
    expect(result).toMatchObject({ edits: [{ match: 'block-anchors', replacements: 1 }] });
    expect(file.content()).toBe(
      '<section class="menu">\n  <article class="card">\n    <h3>Rye</h3>\n  </article>\n</section>\n',
    );
  });

  it('refuses two similar blocks between the same anchors, naming the count', async () => {
    const twice = CARDS.replace(
      '</section>',
      CARDS.split('\n').slice(1, 6).join('\n') + '\n</section>',
    );
    const file = withFile('index.html', twice);
    const result = await file.edit({
      old_string:
        '<article class="card">\n<h3>Sourdough</h3>\n<p>Slow-fermented for 48 hours.</p>\n' +
        '<span class="price">€6</span>\n</article>',
      new_string: '',
    });
    expect(result).toEqual({
      ok: false,
      error:
        'old_string was not found exactly, and its first and last lines enclose 2 similar blocks in index.html; include more context so it is unique',
    });
    expect(file.content()).toBe(twice);
  });

  it('does not take anchors alone: a middle unlike the file’s is a miss', async () => {
    const file = withFile('index.html', CARDS);
    const result = await file.edit({
      old_string:
        '  <article class="card">\n    <img src="rye.svg" alt="">\n    <em>Rye, 750 g</em>\n  </article>',
      new_string: '',
    });
    expect(result).toEqual({
      ok: false,
      error: expect.stringMatching(/^old_string was not found in index\.html/),
    });
    expect(file.content()).toBe(CARDS);
  });

  it('is not used with replace_all', async () => {
    const file = withFile('index.html', CARDS);
    const result = await file.edit({
      old_string:
        '<article class="card">\n<h3>Sourdough</h3>\n<p>48 hours.</p>\n<p>€6</p>\n</article>',
      new_string: '',
      replace_all: true,
    });
    expect(result).toMatchObject({ ok: false });
    expect(file.content()).toBe(CARDS);
  });
});

describe('edit_file fallbacks on a 1 MiB file stay linear or bounded', () => {
  const bytes = 1024 * 1024;

  it('counts indentation-tolerant matches of a two-line block over 1 MiB of indented lines', async () => {
    const file = withFile('a.txt', '  a\n'.repeat(bytes / 4), bytes);
    expect(await file.edit({ old_string: 'a\na', new_string: 'b' })).toEqual({
      ok: false,
      error: `old_string matches ${bytes / 4 - 1} places when indentation is ignored in a.txt; include more context so it is unique`,
    });
  });

  it('counts escape-normalised matches of 512 KiB of \\" in 1 MiB of "', async () => {
    const file = withFile('a.txt', '"'.repeat(bytes), bytes);
    const half = bytes / 2;
    expect(await file.edit({ old_string: '\\"'.repeat(half), new_string: 'x' })).toEqual({
      ok: false,
      error: expect.stringMatching(
        new RegExp(`^old_string matches ${half + 1} places once its escapes`),
      ),
    });
  });

  it('refuses anchors that enclose too many blocks without comparing them', async () => {
    const file = withFile('a.html', '<li>\n<a>x</a>\n</li>\n'.repeat(bytes / 19), bytes);
    expect(await file.edit({ old_string: '<li>\n<a>y</a>\n</li>', new_string: '' })).toEqual({
      ok: false,
      error: expect.stringMatching(
        new RegExp(`enclose ${Math.floor(bytes / 19)} blocks of about its length in a\\.html`),
      ),
    });
  });

  it('does not compare a 1 MiB middle line, however the anchors match', async () => {
    const content = `<main>\n${'y'.repeat(bytes - 20)}\n</main>\n`;
    const file = withFile('a.html', content, bytes);
    expect(await file.edit({ old_string: '<main>\ny\n</main>', new_string: '' })).toMatchObject({
      ok: false,
      error: expect.stringContaining('old_string was not found'),
    });
    expect(file.content()).toBe(content);
  });
});
