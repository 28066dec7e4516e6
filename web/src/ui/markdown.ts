import DOMPurify from 'dompurify';
import { Marked } from 'marked';

const escape = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

const marked = new Marked({
  gfm: true,
  breaks: true,
  async: false,
  renderer: {
    // Raw HTML in a message is shown as text, never parsed: even DOMPurify's inert parse of an
    // `onerror=` attribute makes Chromium report a CSP violation in the console.
    html: ({ text }) => escape(text),
    // Images would load from anywhere (and the console's CSP blocks other origins): a link instead.
    image: ({ href, text }) => `<a href="${escape(href)}">${escape(text || href)}</a>`,
  },
});

let hooked = false;
function purifier(): typeof DOMPurify {
  if (!hooked) {
    hooked = true;
    // Every link opens outside the console and cannot reach back into it.
    DOMPurify.addHook('afterSanitizeAttributes', (node) => {
      if (node.tagName === 'A' && node.hasAttribute('href')) {
        node.setAttribute('target', '_blank');
        node.setAttribute('rel', 'noopener noreferrer');
      }
    });
  }
  return DOMPurify;
}

/**
 * Model-written Markdown as sanitised HTML: DOMPurify drops scripts, event-handler attributes,
 * `javascript:` URLs, forms, frames and styles, so a generated message can never run script here.
 */
export function renderMarkdown(text: string): string {
  const html = marked.parse(text) as string;
  return purifier().sanitize(html, {
    USE_PROFILES: { html: true },
    FORBID_TAGS: ['style', 'form', 'input', 'button', 'textarea', 'select', 'iframe', 'img'],
    FORBID_ATTR: ['style'],
    ADD_ATTR: ['target'],
  });
}
