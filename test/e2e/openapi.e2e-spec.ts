import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestProcess, type TestProcess } from '../support/test-app.js';

/**
 * The preview's `site/:token` serves what `site/:token/*` serves with an empty tail (the router's `*`
 * needs the `/`): the document shows it once, as `site/{token}/{path}`.
 */
const DOCUMENTED_BY_WILDCARD = ['get /api/sessions/{id}/sandbox/site/{token}'];

/**
 * The routes Nest mapped, read from its start-up log: `Mapped {/api/x/:id, GET} route`. A wildcard
 * tail (`/*`) is documented as `{path}`.
 */
function mappedRoutes(output: string): string[] {
  const routes = new Set<string>();
  for (const match of output.matchAll(/Mapped \{([^,]+), (\w+)\} route/g)) {
    const path = match[1].replace(/\/\*$/, '/{path}').replace(/:(\w+)/g, '{$1}');
    routes.add(`${match[2].toLowerCase()} ${path}`);
  }
  return [...routes].filter((route) => !DOCUMENTED_BY_WILDCARD.includes(route)).sort();
}

const PUBLIC = [
  'post /api/auth/register',
  'post /api/auth/login',
  'get /api/health',
  'get /api/health/ready',
];

describe('OpenAPI document', () => {
  let t: TestProcess;
  let doc: any;
  beforeAll(async () => {
    t = await startTestProcess();
    const res = await t.http.get('/api/docs-json');
    expect(res.status).toBe(200);
    doc = res.body;
  });
  afterAll(() => t.close());

  const operations = () =>
    Object.entries(doc.paths as Record<string, Record<string, any>>).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, op]) => ({ key: `${method} ${path}`, op })),
    );

  it('lists every route the app serves, and nothing else', () => {
    const mapped = mappedRoutes(t.output());
    expect(mapped.length).toBeGreaterThan(20);
    expect(
      operations()
        .map((o) => o.key)
        .sort(),
    ).toEqual(mapped);
  });

  it('declares every parameter of every path template, so generated clients can fill it in', () => {
    for (const { key, op } of operations()) {
      const declared = (op.parameters ?? [])
        .filter((p: { in: string }) => p.in === 'path')
        .map((p: { name: string }) => p.name)
        .sort();
      const templated = [...key.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
      expect([key, declared]).toEqual([key, templated]);
    }
  });

  it('serves Swagger UI at /api/docs without authentication', async () => {
    const res = await t.http.get('/api/docs');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    expect(res.text).toMatch(/swagger/i);
  });

  it('declares bearer auth, and requires it on every route but register, login and health', () => {
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    for (const { key, op } of operations()) {
      const secured = (op.security ?? []).some((s: Record<string, unknown>) => 'bearer' in s);
      expect([key, secured]).toEqual([key, !PUBLIC.includes(key)]);
    }
  });

  it('marks the public routes with an empty security list, as OpenAPI tools expect', () => {
    const publics = operations()
      .filter((o) => PUBLIC.includes(o.key))
      .map((o) => [o.key, o.op.security]);
    expect(Object.fromEntries(publics)).toEqual(Object.fromEntries(PUBLIC.map((k) => [k, []])));
  });

  it('gives every route a success response and the {"detail"} error shape', () => {
    expect(doc.components.schemas.ErrorDto.properties.detail).toMatchObject({ type: 'string' });
    for (const { key, op } of operations()) {
      const statuses = Object.keys(op.responses);
      expect([key, statuses.some((s) => s.startsWith('2'))]).toEqual([key, true]);
      const errors = statuses.filter((s) => Number(s) >= 400);
      expect([key, errors.length > 0]).toEqual([key, true]);
      for (const status of errors) {
        expect([key, status, op.responses[status].content['application/json'].schema.$ref]).toEqual(
          [key, status, '#/components/schemas/ErrorDto'],
        );
      }
    }
  });

  it('describes versions, fork and archives (issue #10)', () => {
    const schemas = doc.components.schemas;
    expect(Object.keys(schemas.VersionView.properties)).toEqual(
      expect.arrayContaining([
        'version',
        'created_at',
        'source',
        'message_id',
        'step_id',
        'changes',
      ]),
    );
    expect(Object.keys(schemas.VersionChangeDetailView.properties)).toEqual(
      expect.arrayContaining(['filename', 'change', 'size', 'size_before', 'diff']),
    );
    expect(Object.keys(schemas.MessageView.properties)).toEqual(
      expect.arrayContaining(['version_before', 'version_after']),
    );
    expect(Object.keys(schemas.StepView.properties)).toContain('version');
    const archive = doc.paths['/api/sessions/{id}/sandbox/archive'];
    expect(Object.keys(archive.get.responses['200'].content)).toEqual(['application/zip']);
    expect(Object.keys(archive.post.requestBody.content)).toEqual(['application/zip']);
    expect(doc.paths['/api/sessions/{id}/fork'].post.responses['201']).toBeDefined();
    const restore = doc.paths['/api/sessions/{id}/versions/{v}/restore'].post.responses;
    expect(Object.keys(restore)).toEqual(expect.arrayContaining(['200', '409', '410', '413']));
    const file = doc.paths['/api/sessions/{id}/sandbox/files/{path}'];
    expect(file.get.responses['200'].headers.ETag).toBeDefined();
    expect(file.post.parameters.map((p: any) => p.name)).toContain('If-Match');
    expect(Object.keys(file.post.responses)).toContain('412');
  });

  it('describes request bodies from the DTOs', () => {
    const schemas = doc.components.schemas;
    expect(schemas.RegisterDto.required.sort()).toEqual(['email', 'password', 'username']);
    expect(schemas.RegisterDto.properties.username).toMatchObject({ minLength: 3, maxLength: 50 });
    expect(schemas.LoginDto.required.sort()).toEqual(['password', 'username']);
    expect(schemas.PostMessageDto.properties.stream).toMatchObject({ type: 'boolean' });
    expect(schemas.WriteFileDto.required).toEqual(['content']);
    const register = doc.paths['/api/auth/register'].post;
    expect(register.requestBody.content['application/json'].schema.$ref).toBe(
      '#/components/schemas/RegisterDto',
    );
    expect(register.responses['201'].content['application/json'].schema.$ref).toBe(
      '#/components/schemas/AuthResult',
    );
  });

  it('describes the response shapes of the contract', () => {
    const schemas = doc.components.schemas;
    expect(Object.keys(schemas.SessionView.properties).sort()).toEqual([
      'created_at',
      'id',
      'model',
      'title',
      'updated_at',
    ]);
    expect(Object.keys(schemas.ModelsView.properties).sort()).toEqual(['configured', 'models']);
    expect(Object.keys(schemas.ModelView.properties).sort()).toEqual([
      'context_tokens',
      'default',
      'id',
      'profile',
      'vision',
    ]);
    expect(Object.keys(schemas.StepView.properties)).toEqual(
      expect.arrayContaining([
        'id',
        'session_id',
        'message_id',
        'iteration',
        'status',
        'tool_name',
        'tool_arguments',
        'progress',
      ]),
    );
    expect(Object.keys(schemas.FileListing.properties).sort()).toEqual(['files', 'total_size']);
    const list = doc.paths['/api/sessions'].get.responses['200'].content['application/json'].schema;
    expect(list).toEqual({ type: 'array', items: { $ref: '#/components/schemas/SessionView' } });
  });
});
