import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ObjectStore, ResourceVersionTooOldError, StoreConflictError, type StoreEvent } from '../../sandbox/sim/store/object-store.ts';
import type { KubeObject } from '../../sandbox/sim/api/object.ts';

const cm = (name: string, ns = 'default', data: Record<string, string> = {}): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns }, data });

describe('ObjectStore', () => {
  it('stamps increasing resourceVersions and freezes what it stores', () => {
    const s = new ObjectStore();
    const a = s.create('configmaps', cm('a'));
    const b = s.create('configmaps', cm('b'));
    assert.ok(Number(b.metadata.resourceVersion) > Number(a.metadata.resourceVersion));
    assert.equal(String(s.currentResourceVersion()), b.metadata.resourceVersion);
    assert.throws(() => { (a.metadata as { name: string }).name = 'x'; }, TypeError);
  });

  it('lists in key order, per namespace or across namespaces', () => {
    const s = new ObjectStore();
    s.create('configmaps', cm('b', 'x'));
    s.create('configmaps', cm('a', 'y'));
    s.create('configmaps', cm('a', 'x'));
    assert.deepEqual(s.list('configmaps').map((o) => `${o.metadata.namespace}/${o.metadata.name}`), ['x/a', 'x/b', 'y/a']);
    assert.deepEqual(s.list('configmaps', 'y').map((o) => o.metadata.name), ['a']);
    assert.deepEqual(s.list('pods'), []);
  });

  it('refuses duplicates, missing objects and stale versions', () => {
    const s = new ObjectStore();
    const a = s.create('configmaps', cm('a'));
    assert.throws(() => s.create('configmaps', cm('a')), (e: unknown) => e instanceof StoreConflictError && e.kind === 'exists');
    assert.throws(() => s.update('configmaps', cm('zz')), (e: unknown) => e instanceof StoreConflictError && e.kind === 'missing');
    s.update('configmaps', { ...cm('a'), data: { v: '2' } }, a.metadata.resourceVersion);
    assert.throws(() => s.update('configmaps', cm('a'), a.metadata.resourceVersion), (e: unknown) => e instanceof StoreConflictError && e.kind === 'stale');
  });

  it('fans events out to every watcher of the resource, with the previous state on MODIFIED', () => {
    const s = new ObjectStore();
    const seen1: StoreEvent[] = [];
    const seen2: StoreEvent[] = [];
    const other: StoreEvent[] = [];
    s.watch('configmaps', (e) => seen1.push(e));
    const stop2 = s.watch('configmaps', (e) => seen2.push(e));
    s.watch('secrets', (e) => other.push(e));
    s.create('configmaps', cm('a'));
    stop2();
    s.update('configmaps', { ...cm('a'), data: { v: '2' } });
    s.delete('configmaps', 'default', 'a');
    assert.deepEqual(seen1.map((e) => e.type), ['ADDED', 'MODIFIED', 'DELETED']);
    assert.deepEqual(seen2.map((e) => e.type), ['ADDED']);
    assert.equal(other.length, 0);
    assert.deepEqual((seen1[1].previous as KubeObject & { data: object }).data, {});
    assert.ok(seen1[2].rv > seen1[1].rv, 'a deletion gets its own resourceVersion');
  });

  it('replays events after a resourceVersion and expires ones older than its history', () => {
    const s = new ObjectStore({ historyLimit: 3 });
    const first = s.create('configmaps', cm('a'));
    s.create('configmaps', cm('b'));
    const replay: string[] = [];
    s.watch('configmaps', (e) => replay.push(`${e.type} ${e.object.metadata.name}`), Number(first.metadata.resourceVersion));
    assert.deepEqual(replay, ['ADDED b']);
    s.create('configmaps', cm('c'));
    s.create('configmaps', cm('d'));
    s.create('configmaps', cm('e'));
    assert.throws(() => s.watch('configmaps', () => {}, Number(first.metadata.resourceVersion)), ResourceVersionTooOldError);
  });

  it('snapshots and restores', () => {
    const s = new ObjectStore();
    s.create('configmaps', cm('a'));
    const snap = structuredClone(s.snapshot());
    const t = new ObjectStore();
    t.restore(snap);
    assert.equal(t.get('configmaps', 'default', 'a')?.metadata.name, 'a');
    assert.equal(t.currentResourceVersion(), s.currentResourceVersion());
  });
});
