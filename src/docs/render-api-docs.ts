/**
 * Renders the OpenAPI document as docs/api.md. Pure (no Nest), so the e2e test can render the
 * document a running service serves and compare it with the committed file.
 */

interface Schema {
  $ref?: string;
  type?: string;
  format?: string;
  enum?: unknown[];
  items?: Schema;
  nullable?: boolean;
  description?: string;
  example?: unknown;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  allOf?: Schema[];
  oneOf?: Schema[];
}

interface Parameter {
  name: string;
  in: string;
  required?: boolean;
  description?: string;
  schema?: Schema;
}

interface Operation {
  summary?: string;
  description?: string;
  tags?: string[];
  security?: unknown[];
  parameters?: Parameter[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
  responses?: Record<
    string,
    { description?: string; content?: Record<string, { schema?: Schema }> }
  >;
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, Schema> };
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

/** Markdown table cells hold one line and no pipes. */
const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');

function typeOf(s: Schema | undefined): string {
  if (!s) {
    return '';
  }
  if (s.$ref) {
    const name = s.$ref.split('/').at(-1)!;
    return `[${name}](#${name.toLowerCase()})`;
  }
  if (s.allOf?.length === 1) {
    return typeOf(s.allOf[0]);
  }
  if (s.enum) {
    return s.enum.map((v) => `\`${String(v)}\``).join(' \\| ');
  }
  if (s.type === 'array') {
    return `${typeOf(s.items)}[]`;
  }
  const base = s.format ? `${s.type ?? 'any'} (${s.format})` : (s.type ?? 'any');
  return s.nullable ? `${base} or null` : base;
}

function notes(s: Schema): string {
  const parts: string[] = [];
  if (s.description) {
    parts.push(s.description);
  }
  if (s.minimum !== undefined || s.maximum !== undefined) {
    parts.push(`${s.minimum ?? '…'}–${s.maximum ?? '…'}`);
  }
  if (s.minLength !== undefined || s.maxLength !== undefined) {
    parts.push(`${s.minLength ?? 0}–${s.maxLength ?? '…'} chars`);
  }
  if (s.example !== undefined) {
    parts.push(`e.g. \`${JSON.stringify(s.example)}\``);
  }
  return cell(parts.join('; '));
}

function operation(method: string, path: string, op: Operation): string[] {
  const lines = [`### \`${method.toUpperCase()} ${path}\``, ''];
  if (op.summary) {
    lines.push(op.summary, '');
  }
  if (op.description) {
    lines.push(op.description, '');
  }
  lines.push(op.security?.length ? 'Auth: bearer token.' : 'Auth: none.', '');
  if (op.parameters?.length) {
    lines.push('| parameter | in | type | required | notes |', '|---|---|---|---|---|');
    for (const p of op.parameters) {
      const extra = p.description ?? '';
      lines.push(
        `| \`${p.name}\` | ${p.in} | ${typeOf(p.schema)} | ${p.required ? 'yes' : 'no'} | ${cell(extra)} |`,
      );
    }
    lines.push('');
  }
  for (const [type, body] of Object.entries(op.requestBody?.content ?? {})) {
    lines.push(`Body (\`${type}\`): ${typeOf(body.schema) || 'raw'}`, '');
  }
  const responses = Object.entries(op.responses ?? {});
  if (responses.length) {
    lines.push('| status | body | meaning |', '|---|---|---|');
    for (const [status, r] of responses) {
      const body = Object.values(r.content ?? {})[0]?.schema;
      lines.push(`| ${status} | ${typeOf(body)} | ${cell(r.description ?? '')} |`);
    }
    lines.push('');
  }
  return lines;
}

function schema(name: string, s: Schema): string[] {
  const lines = [`### ${name}`, ''];
  if (s.description) {
    lines.push(s.description, '');
  }
  const props = Object.entries(s.properties ?? {});
  if (props.length === 0) {
    lines.push(`${typeOf(s)}`, '');
    return lines;
  }
  const required = new Set(s.required ?? []);
  lines.push('| field | type | required | notes |', '|---|---|---|---|');
  for (const [prop, p] of props) {
    lines.push(
      `| \`${prop}\` | ${typeOf(p)} | ${required.has(prop) ? 'yes' : 'no'} | ${notes(p)} |`,
    );
  }
  lines.push('');
  return lines;
}

export function renderApiDocs(doc: OpenApiDocument): string {
  const lines = [
    '# API reference',
    '',
    '<!-- Generated from the OpenAPI document by `npm run docs:api`; do not edit by hand.',
    '     test/e2e/api-docs.e2e-spec.ts fails when this file and the served document disagree. -->',
    '',
    'Every route is under `/api`; JSON in and out; every error is `{"detail": "…"}`. The running',
    'service serves the same document at `/api/docs-json` and Swagger UI at `/api/docs`.',
    '',
  ];
  const byTag = new Map<string, string[]>();
  for (const path of Object.keys(doc.paths).sort()) {
    for (const method of METHODS) {
      const op = doc.paths[path][method];
      if (!op) {
        continue;
      }
      const tag = op.tags?.[0] ?? 'other';
      byTag.set(tag, [...(byTag.get(tag) ?? []), ...operation(method, path, op)]);
    }
  }
  for (const tag of [...byTag.keys()].sort()) {
    lines.push(`## ${tag}`, '', ...byTag.get(tag)!);
  }
  const schemas = doc.components?.schemas ?? {};
  lines.push('## Schemas', '');
  for (const name of Object.keys(schemas).sort()) {
    lines.push(...schema(name, schemas[name]));
  }
  return `${lines.join('\n').trimEnd()}\n`;
}
