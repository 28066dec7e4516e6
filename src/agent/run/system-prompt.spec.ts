import { describe, expect, it } from '@jest/globals';
import { AGENT_TOOLS } from '../tools/tool-registry.js';
import { estimateTokens } from './context-window.js';
import { environmentDetails } from './environment.js';
import { systemPrompt } from './system-prompt.js';

/** Sent with every request of every turn: its size is paid on each round. */
const MAX_PROMPT_TOKENS = 2000;

describe('the system prompt', () => {
  const prompt = systemPrompt();
  const section = (title: string) => {
    const start = prompt.indexOf(`# ${title}\n`);
    expect(start).toBeGreaterThanOrEqual(0);
    const end = prompt.indexOf('\n# ', start + 1);
    return prompt.slice(start, end === -1 ? undefined : end);
  };

  it.each(AGENT_TOOLS.map((t) => t.name))('names the tool %s', (name) => {
    expect(prompt).toMatch(new RegExp(`\\b${name}\\b`));
  });

  it('lists only tools the registry has (or that another branch of issue 19 adds)', () => {
    const listed = [...section('Your tools').matchAll(/^- ([a-z_]+):/gm)].map((m) => m[1]);
    const known = new Set(AGENT_TOOLS.map((t) => t.name));
    expect(listed.length).toBeGreaterThanOrEqual(AGENT_TOOLS.length);
    expect(listed.filter((name) => !known.has(name))).toEqual([]);
  });

  it('asks for update_plan with its {items: [{text, status}]} shape on multi-file work', () => {
    expect(prompt).toMatch(/update_plan \{items: \[\{text, status\}\]\}/);
    for (const status of ['pending', 'in_progress', 'completed']) {
      expect(section('Your tools')).toContain(`"${status}"`);
    }
    expect(section('How to work')).toMatch(/more than one file[^.]*update_plan/);
  });

  it('says the <environment_details> block is state information, not a request', () => {
    const sentence = prompt
      .split('\n')
      .find((line) => line.includes('<environment_details> block'));
    expect(sentence).toMatch(/not a request/);
    expect(sentence).toMatch(/tool result/);
    expect(sentence).toMatch(/user's message/);
  });

  it('gives the design concretely: breakpoints, type scale, WCAG AA contrast, landmarks', () => {
    const design = section('Design');
    for (const width of ['360px', '768px', '1280px']) {
      expect(design).toContain(width);
    }
    expect(design).toMatch(/\b4\.5:1\b/);
    expect(design).toMatch(/WCAG AA/);
    expect(design).toMatch(/scale \(for example [\d.]+(, [\d.]+)+rem\)/);
    for (const landmark of ['header', 'nav', 'main', 'footer']) {
      expect(design).toMatch(new RegExp(`\\b${landmark}\\b`));
    }
    expect(design).toMatch(/inline SVG/);
  });

  it('says the preview is offline: no CDN, no remote fonts, and holds no URL to load', () => {
    const offline = prompt.split('\n').find((line) => line.includes('preview is offline'));
    expect(offline).toMatch(/only its own sandbox files/);
    expect(offline).toMatch(/Never use a CDN, Google Fonts/);
    expect(prompt).not.toMatch(/https?:\/\/|\/\/[a-z0-9-]+\.[a-z]{2,}\//i);
  });

  it(`stays under ${MAX_PROMPT_TOKENS} estimated tokens`, () => {
    const tokens = estimateTokens([{ role: 'system', content: prompt }]);
    expect(tokens).toBeLessThanOrEqual(MAX_PROMPT_TOKENS);
  });

  it('says every change is versioned and can be restored', () => {
    expect(prompt).toMatch(/version/i);
    expect(prompt).toMatch(/restore/i);
  });

  it('describes the opaque-origin preview and its in-memory storage', () => {
    expect(prompt).toMatch(/opaque origin/i);
    expect(prompt).toMatch(/localStorage/);
  });

  it('covers editing policy, accessibility, finishing and the user language', () => {
    expect(prompt).toMatch(/placeholder/i);
    expect(prompt).toMatch(/accessib/i);
    expect(prompt).toMatch(/summary/i);
    expect(prompt).toMatch(/language/i);
  });

  it('holds nothing per session or per round: the same text every time, no listing', () => {
    expect(systemPrompt()).toBe(prompt);
    const listing = environmentDetails({
      files: [{ name: 'index.html', size: 11 }],
      total_size: 11,
    });
    expect(prompt).not.toContain('Files in the sandbox now');
    expect(prompt).not.toContain(listing);
    expect(prompt).not.toMatch(/\b20\d\d-\d\d-\d\d\b/);
  });
});
