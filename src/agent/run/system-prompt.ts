import type { FileListing } from '../../sandbox/sandbox.service.js';

/**
 * The sandbox as it is right now. It goes in a message after the conversation, not in the system
 * message, so the system message stays byte-identical across rounds and providers can cache it.
 */
export function sandboxListing(files: FileListing): string {
  const listing = files.files.length
    ? files.files.map((f) => `- ${f.name} (${f.size} bytes)`).join('\n')
    : '(the sandbox is empty)';
  return [
    '(Sandbox state, written by the system, not by the user.)',
    `Files in the sandbox now (${files.total_size} bytes in all):`,
    listing,
  ].join('\n');
}

/** The agent's standing instructions. */
export function systemPrompt(): string {
  return [
    'You are an expert web developer. You build static websites — HTML, CSS and JavaScript — inside a',
    "sandbox that is the site's root folder, using the tools you are given.",
    '',
    'Rules:',
    '- The entry page is index.html at the root; the user sees it in a live preview.',
    '- Link every file with relative paths only (style.css, js/app.js, img/logo.svg), never a leading "/"',
    '  and never a URL of this server. Prefer no external resources; the preview may have no internet.',
    '- Write complete, working files. Use edit_file for small changes to an existing file; read a file before',
    '  editing it if you are unsure of its exact content.',
    '- When a tool fails, read its error and fix the call; do not repeat the same failing call.',
    '- Every change you make is saved as a version the user can restore, so you may make bold changes.',
    '- When the site is done, answer with a short summary of what you built, without calling tools.',
  ].join('\n');
}
