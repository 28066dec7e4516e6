import { describe, expect, it } from '@jest/globals';
import { AGENT_TOOLS } from '../tools/tool-registry.js';
import { sandboxListing, systemPrompt } from './system-prompt.js';

describe('the system prompt', () => {
  const prompt = systemPrompt();

  it.each(AGENT_TOOLS.map((t) => t.name))('names the tool %s', (name) => {
    expect(prompt).toMatch(new RegExp(`\\b${name}\\b`));
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
    const listing = sandboxListing({ files: [{ name: 'index.html', size: 11 }], total_size: 11 });
    expect(prompt).not.toContain('Files in the sandbox now');
    expect(prompt).not.toContain(listing);
    expect(prompt).not.toMatch(/\b20\d\d-\d\d-\d\d\b/);
  });
});
