import type { FileListing } from '../../sandbox/sandbox.service.js';
import type { LlmMessage } from '../llm/llm-client.js';

/**
 * The sandbox as it is now, as state rather than as a request: as Cline sends `environment_details`,
 * it rides at the end of the round's last tool result (or of the user's own message in the first
 * round), never as a `user` message of its own a model could take for the user's newest request.
 */
export function environmentDetails(files: FileListing): string {
  const listing = files.files.length
    ? files.files.map((f) => `- ${f.name} (${f.size} bytes)`).join('\n')
    : '(the sandbox is empty)';
  return [
    '<environment_details>',
    `Files in the sandbox now (${files.total_size} bytes in all):`,
    listing,
    '</environment_details>',
  ].join('\n');
}

/** The messages with `details` appended to the last one (a tool result or a user message); a copy. */
export function withEnvironment(messages: readonly LlmMessage[], details: string): LlmMessage[] {
  const out = [...messages];
  const last = out.at(-1);
  if (last?.role === 'tool' || last?.role === 'user') {
    out[out.length - 1] = { ...last, content: `${last.content}\n\n${details}` };
  } else {
    out.push({ role: 'user', content: details });
  }
  return out;
}

/** Removes a block `withEnvironment` added (test helpers read tool results as JSON). */
export const stripEnvironment = (content: string): string =>
  content.replace(/\n*<environment_details>[\s\S]*?<\/environment_details>\s*$/, '');
