/**
 * The layers of src/, lowest first, and the directions imports may not take. `npm run lint` runs it,
 * so a new upward import or circle fails CI. Each folder may import only folders listed before it;
 * docs/architecture.md explains the order and docs/module-graph.md draws the result
 * (`npm run docs:graph` redraws it).
 */
const LAYERS = [
  ['config', 'typed configuration from the environment'],
  ['database', 'data source, `Sql` transactions, embedded PostgreSQL, migrations'],
  ['common', 'errors, filters, HTTP helpers, logging, cluster bus, Redis, throttling'],
  ['users', 'who exists; `AuthUser` and `@CurrentUser()`'],
  ['caps', 'per-tier caps; the counts come from the features they limit'],
  ['idempotency', 'stored first answers of Idempotency-Key requests'],
  ['webhooks', 'endpoints, the outbox and the delivery worker'],
  ['models', 'what the service knows of each model: configured, defaulted, learned'],
  ['sessions', 'sessions and the ownership rule'],
  ['history', 'every state of every sandbox'],
  ['messages', 'the conversation and the execution steps'],
  ['auth', 'credentials, tokens, the global guard, API keys'],
  ['sandbox', 'files, quota, preview'],
  ['agent', 'the LLM client, the tools, the loop and the runner that assembles them'],
  ['turns', 'the life of a turn, its HTTP routes and live events'],
  ['versions', 'versions, restore, fork, archives'],
  ['admin', 'admin-only users and usage'],
  ['health', 'health checks'],
];

const folder = (name) => `^src/${name}/`;
/** The composition root and the commands: nothing below may import them. */
const TOP = ['^src/[^/]+\\.ts$', '^src/cli/', '^src/docs/'];

const layerRules = LAYERS.map(([name, what], i) => ({
  name: `layer-${name}`,
  comment: `${name} (${what}) is layer ${i}: it may import only the layers below it`,
  severity: 'error',
  from: { path: folder(name) },
  to: { path: [...LAYERS.slice(i + 1).map(([above]) => folder(above)), ...TOP] },
}));

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'No import circle, between files or (through the layer rules) between folders',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    ...layerRules,
    {
      name: 'common-imports-no-feature',
      comment: 'common/ is shared by every feature: it imports only config/ and database/',
      severity: 'error',
      from: { path: '^src/common/' },
      to: { path: '^src/', pathNot: ['^src/common/', '^src/config/', '^src/database/'] },
    },
    {
      name: 'database-imports-no-feature',
      comment: 'Persistence is a layer below the features: each feature registers its own entities',
      severity: 'error',
      from: { path: '^src/database/' },
      to: { path: '^src/', pathNot: ['^src/database/', '^src/config/'] },
    },
    {
      name: 'agent-loop-knows-no-rows',
      comment:
        'The loop, its tools and the LLM client work on ports; rows are the runner`s business (src/agent/*.ts)',
      severity: 'error',
      from: { path: '^src/agent/(run|tools|llm)/', pathNot: '\\.spec\\.ts$' },
      to: { path: ['^src/database/', '\\.repository\\.ts$', '^src/turns/'] },
    },
    {
      name: 'no-spec-imports',
      comment: 'Code does not import tests',
      severity: 'error',
      from: { pathNot: '\\.spec\\.ts$|/testing/' },
      to: { path: '\\.spec\\.ts$|/testing/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
    reporterOptions: {
      archi: { collapsePattern: '^src/[^/]+' },
    },
  },
};
