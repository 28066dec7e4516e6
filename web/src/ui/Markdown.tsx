import { useMemo } from 'react';
import { renderMarkdown } from './markdown';

/** Markdown (an assistant's text) rendered as sanitised HTML; see `renderMarkdown`. */
export function Markdown({ text, className }: { text: string; className?: string }) {
  const html = useMemo(() => renderMarkdown(text), [text]);
  return (
    <div
      className={className ? `markdown ${className}` : 'markdown'}
      // Sanitised by DOMPurify in renderMarkdown.
      dangerouslySetInnerHTML={{ __html: html }}
    />
  );
}
