// The lab shell reads kubeconfig files with client-go's precedence and writes
// changes back to the file each stanza came from, as ModifyConfig does.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { ClientConfig } from '../../sandbox/shell/kube/kubeconfig.ts';
import { modifyConfig } from '../../sandbox/shell/kube/kubeconfig-write.ts';

let dir: string;
const file = (name: string): string => join(dir, name);

function config(o: { clusters?: [string, Record<string, unknown>][]; users?: [string, Record<string, unknown>][]; contexts?: [string, Record<string, unknown>][]; current?: string }): string {
  return stringify({
    apiVersion: 'v1', kind: 'Config',
    clusters: (o.clusters ?? []).map(([name, cluster]) => ({ name, cluster })),
    users: (o.users ?? []).map(([name, user]) => ({ name, user })),
    contexts: (o.contexts ?? []).map(([name, context]) => ({ name, context })),
    ...(o.current ? { 'current-context': o.current } : {}),
  });
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'shell-kubeconfig-'));
  mkdirSync(file('certs'));
  writeFileSync(file('certs/ca.pem'), 'CA');
  writeFileSync(file('a'), config({
    clusters: [['one', { server: 'https://one.example:6443', 'certificate-authority': 'certs/ca.pem' }]],
    users: [['admin', { token: 'tok-a' }]],
    contexts: [['ctx-a', { cluster: 'one', user: 'admin', namespace: 'lab' }]],
    current: 'ctx-a',
  }));
  writeFileSync(file('b'), config({
    clusters: [['one', { server: 'https://shadowed:1' }], ['two', { server: 'https://two.example', 'insecure-skip-tls-verify': true }]],
    users: [['viewer', { 'client-certificate-data': Buffer.from('CERT').toString('base64'), 'client-key-data': Buffer.from('KEY').toString('base64') }]],
    contexts: [['ctx-b', { cluster: 'two', user: 'viewer' }]],
    current: 'ctx-b',
  }));
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe('loading', () => {
  it('merges a KUBECONFIG list: first file wins, missing files skipped, paths relative to their file', () => {
    const env = { HOME: dir, KUBECONFIG: [file('missing'), file('a'), file('b')].join(':') };
    const c = ClientConfig.load({}, env);
    assert.equal(c.contextName(), 'ctx-a');
    assert.deepEqual(c.namespace(), { namespace: 'lab', explicit: false });
    const rest = c.restConfig();
    assert.equal(rest.host, 'https://one.example:6443');
    assert.equal(rest.caFile, file('certs/ca.pem'));
    assert.equal(rest.bearerToken, 'tok-a');
  });

  it('--context, -n and --server override; client certificates and insecure come through', () => {
    const env = { HOME: dir, KUBECONFIG: [file('a'), file('b')].join(':') };
    const c = ClientConfig.load({ context: 'ctx-b', namespace: 'x' }, env);
    assert.deepEqual(c.namespace(), { namespace: 'x', explicit: true });
    const rest = c.restConfig();
    assert.equal(rest.host, 'https://two.example');
    assert.equal(rest.insecure, true);
    assert.equal(rest.certData?.toString(), 'CERT');
    assert.equal(rest.keyData?.toString(), 'KEY');
    assert.equal(ClientConfig.load({ context: 'ctx-b' }, env).namespace().namespace, 'default');
    assert.throws(() => ClientConfig.load({ context: 'nope' }, env).restConfig(), /context was not found for specified context: nope/);
  });

  it('--kubeconfig wins over KUBECONFIG and must exist; ~/.kube/config is the fallback', () => {
    const env = { HOME: dir, KUBECONFIG: file('a') };
    assert.equal(ClientConfig.load({ kubeconfig: file('b') }, env).contextName(), 'ctx-b');
    assert.throws(() => ClientConfig.load({ kubeconfig: file('none') }, env), /stat .*none: no such file or directory/);
    assert.throws(() => ClientConfig.load({}, { HOME: dir }).restConfig(), /no configuration has been provided/);
    mkdirSync(file('.kube'));
    writeFileSync(file('.kube/config'), readFileSync(file('b')));
    assert.equal(ClientConfig.load({}, { HOME: dir }).contextName(), 'ctx-b');
  });
});

describe('writing back', () => {
  it('puts a new context in the default file, the current-context where one is set, changed stanzas where they came from', () => {
    writeFileSync(file('c'), config({}));
    const rules = { envPaths: [file('c'), file('a')], globalFile: file('.kube/config') };
    const c = new ClientConfig(rules, {});
    modifyConfig(rules, c.raw, {
      currentContext: 'new-ctx',
      stanzas: [
        { kind: 'contexts', name: 'new-ctx', value: { cluster: 'one', user: 'admin', namespace: 'p1' } },
        { kind: 'users', name: 'admin', value: { token: 'tok-new' } },
      ],
    });
    const a = parse(readFileSync(file('a'), 'utf8'));
    const cDoc = parse(readFileSync(file('c'), 'utf8'));
    // c exists and is first, so it is the default file for new stanzas; only a sets a current-context.
    assert.deepEqual(cDoc.contexts, [{ name: 'new-ctx', context: { cluster: 'one', user: 'admin', namespace: 'p1' } }]);
    assert.equal(a['current-context'], 'new-ctx');
    assert.deepEqual(a.users, [{ name: 'admin', user: { token: 'tok-new' } }]);
    assert.equal(a.clusters[0].cluster['certificate-authority'], 'certs/ca.pem', 'paths stay relative to their file');
    const reread = new ClientConfig(rules, {});
    assert.equal(reread.contextName(), 'new-ctx');
    assert.equal(reread.namespace().namespace, 'p1');
    assert.equal(reread.restConfig().bearerToken, 'tok-new');
  });
});
