import { act, renderHook, waitFor } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../../api/client';
import { keys } from '../../api/keys';
import { json, stubFetch } from '../../test/fetch';
import { testClient, withClient } from '../../test/query';
import { draftStore } from '../drafts';
import type { LoadedFile } from '../file-api';
import { useCreateFile } from './mutation/use-create-file';
import { useDeleteFile } from './mutation/use-delete-file';
import { useDownloadZip } from './mutation/use-download-zip';
import { useFile } from './query/use-file';
import { useFileListing } from './query/use-file-listing';
import { useImportZip } from './mutation/use-import-zip';
import { useSaveFile } from './mutation/use-save-file';

const S = 's1';
const FILE_URL = `/api/sessions/${S}/sandbox/files/css/my%20site.css`;

let sandboxEvents: number;
const onSandbox = () => sandboxEvents++;
beforeEach(() => {
  sandboxEvents = 0;
  window.addEventListener('aeio:sandbox-changed', onSandbox);
});
afterEach(() => {
  window.removeEventListener('aeio:sandbox-changed', onSandbox);
  draftStore.discard(S, 'css/my site.css');
});

function setup<T>(hook: () => T) {
  const client = testClient();
  const rendered = renderHook(hook, { wrapper: withClient(client) });
  return { client, ...rendered };
}

describe('useFileListing', () => {
  it('lists the sandbox', async () => {
    const listing = { files: [{ name: 'index.html', size: 3 }], total_size: 3 };
    const calls = stubFetch(json(listing));
    const { result } = setup(() => useFileListing(S));
    await waitFor(() => expect(result.current.isSuccess).toBe(true));
    expect(result.current.data).toEqual(listing);
    expect(calls.map((c) => c.url)).toEqual([`/api/sessions/${S}/sandbox/files`]);
  });
});

describe('useFile', () => {
  it('fetches nothing while no file is selected', () => {
    const calls = stubFetch(json({}));
    const { result } = setup(() => useFile(S, null));
    expect(result.current.fetchStatus).toBe('idle');
    expect(calls).toHaveLength(0);
  });

  it('reads the text with its ETag, each path segment encoded', async () => {
    const calls = stubFetch(
      json({ filename: 'css/my site.css', content: 'a{}', size: 3 }, 200, { ETag: '"e1"' }),
    );
    const { result } = setup(() => useFile(S, 'css/my site.css'));
    await waitFor(() => expect(result.current.isSuccess).toBe(true));
    expect(result.current.data).toEqual({
      filename: 'css/my site.css',
      content: 'a{}',
      size: 3,
      etag: '"e1"',
      binary: false,
    });
    expect(calls[0].url).toBe(FILE_URL);
  });

  it('marks text with replacement characters as binary', async () => {
    stubFetch(json({ filename: 'logo.svg', content: 'PNG\uFFFD', size: 4 }));
    const { result } = setup(() => useFile(S, 'logo.svg'));
    await waitFor(() => expect(result.current.isSuccess).toBe(true));
    expect(result.current.data?.binary).toBe(true);
  });
});

describe('useSaveFile', () => {
  const name = 'css/my site.css';

  it('sends the draft with its base ETag, caches the saved file and drops the draft', async () => {
    draftStore.set(S, name, { content: 'b{}', baseEtag: '"e1"' });
    const calls = stubFetch(json({ filename: name, size: 3 }, 201, { ETag: '"e2"' }));
    const { result, client } = setup(() => useSaveFile(S));
    await act(() => result.current.mutateAsync({ name, force: false }));
    expect(calls[0]).toMatchObject({ url: FILE_URL, method: 'POST' });
    expect(calls[0].headers.get('If-Match')).toBe('"e1"');
    expect(JSON.parse(String(calls[0].body))).toEqual({ content: 'b{}' });
    expect(client.getQueryData<LoadedFile>(keys.file(S, name))).toEqual({
      filename: name,
      content: 'b{}',
      size: 3,
      etag: '"e2"',
      binary: false,
    });
    expect(draftStore.get(S, name)).toBeUndefined();
    expect(sandboxEvents).toBe(1);
  });

  it('with force, saves over whatever is there (no If-Match)', async () => {
    draftStore.set(S, name, { content: 'b{}', baseEtag: '"e1"' });
    const calls = stubFetch(json({ filename: name, size: 3 }, 201, { ETag: '"e3"' }));
    const { result } = setup(() => useSaveFile(S));
    await act(() => result.current.mutateAsync({ name, force: true }));
    expect(calls[0].headers.has('If-Match')).toBe(false);
  });

  it('keeps what was typed during the save as a draft over the saved version', async () => {
    draftStore.set(S, name, { content: 'b{}', baseEtag: '"e1"' });
    stubFetch(() => {
      draftStore.set(S, name, { content: 'b{} c{}', baseEtag: '"e1"' });
      return json({ filename: name, size: 3 }, 201, { ETag: '"e2"' });
    });
    const { result } = setup(() => useSaveFile(S));
    await act(() => result.current.mutateAsync({ name, force: false }));
    expect(draftStore.get(S, name)).toEqual({ content: 'b{} c{}', baseEtag: '"e2"' });
  });

  it('reports a changed file as a 412 ApiError and keeps the draft', async () => {
    draftStore.set(S, name, { content: 'b{}', baseEtag: '"e1"' });
    stubFetch(json({ detail: 'The file changed' }, 412));
    const { result } = setup(() => useSaveFile(S));
    const failure = await act(() =>
      result.current.mutateAsync({ name, force: false }).catch((e: unknown) => e),
    );
    expect(failure).toBeInstanceOf(ApiError);
    expect((failure as ApiError).status).toBe(412);
    expect(draftStore.get(S, name)?.content).toBe('b{}');
    expect(sandboxEvents).toBe(0);
  });
});

describe('useDeleteFile', () => {
  it('deletes with the ETag last read, then forgets the file and its draft', async () => {
    const name = 'css/my site.css';
    draftStore.set(S, name, { content: 'x', baseEtag: '"e1"' });
    const calls = stubFetch(new Response(null, { status: 204 }));
    const { result, client } = setup(() => useDeleteFile(S));
    client.setQueryData<LoadedFile>(keys.file(S, name), {
      filename: name,
      content: '',
      size: 0,
      etag: '"e1"',
      binary: false,
    });
    await act(() => result.current.mutateAsync(name));
    expect(calls[0]).toMatchObject({ url: FILE_URL, method: 'DELETE' });
    expect(calls[0].headers.get('If-Match')).toBe('"e1"');
    expect(client.getQueryData(keys.file(S, name))).toBeUndefined();
    expect(draftStore.get(S, name)).toBeUndefined();
    expect(sandboxEvents).toBe(1);
  });
});

describe('useCreateFile', () => {
  it('writes an empty file without If-Match and refreshes the sandbox', async () => {
    const calls = stubFetch(json({ filename: 'new.js', size: 0 }, 201));
    const { result } = setup(() => useCreateFile(S));
    await act(() => result.current.mutateAsync('new.js'));
    expect(calls[0].url).toBe(`/api/sessions/${S}/sandbox/files/new.js`);
    expect(calls[0].headers.has('If-Match')).toBe(false);
    expect(JSON.parse(String(calls[0].body))).toEqual({ content: '' });
    expect(sandboxEvents).toBe(1);
  });

  it('gives the service’s reason for a refused name', async () => {
    stubFetch(json({ detail: 'Invalid filename' }, 400));
    const { result } = setup(() => useCreateFile(S));
    await expect(act(() => result.current.mutateAsync('../x'))).rejects.toThrow('Invalid filename');
    expect(sandboxEvents).toBe(0);
  });
});

describe('useImportZip', () => {
  it('posts the zip as application/zip and refreshes the sandbox', async () => {
    const calls = stubFetch(json({ files: 2, version: 5 }, 201));
    const { result } = setup(() => useImportZip(S));
    const zip = new File([new Uint8Array([80, 75])], 'site.zip', { type: 'application/zip' });
    const imported = await act(() => result.current.mutateAsync(zip));
    expect(imported).toEqual({ files: 2, version: 5 });
    expect(calls[0]).toMatchObject({ url: `/api/sessions/${S}/sandbox/archive`, method: 'POST' });
    expect(calls[0].headers.get('Content-Type')).toBe('application/zip');
    expect(calls[0].body).toBe(zip);
    expect(sandboxEvents).toBe(1);
  });
});

describe('useDownloadZip', () => {
  it('downloads under the name the service gives', async () => {
    stubFetch(
      new Response(new Uint8Array([80, 75]), {
        headers: { 'Content-Disposition': `attachment; filename="bakery.zip"` },
      }),
    );
    const clicked: string[] = [];
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (
      this: HTMLAnchorElement,
    ) {
      clicked.push(this.download);
    });
    vi.spyOn(URL, 'createObjectURL').mockReturnValue('blob:zip');
    vi.spyOn(URL, 'revokeObjectURL').mockImplementation(() => undefined);
    const { result } = setup(() => useDownloadZip(S));
    await act(() => result.current.mutateAsync());
    expect(clicked).toEqual(['bakery.zip']);
  });
});
