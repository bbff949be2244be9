// ~/.kube/config in the lab shell's persistent home: the session's cluster is
// put back at every start without losing what the student changed.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mergeKubeconfig } from '../../sandbox/shell/jail-init/kubeconfig-install.ts';

const source = (token: string) => ({
  apiVersion: 'v1',
  kind: 'Config',
  clusters: [{ name: 'virtlab', cluster: { server: 'https://127.0.0.1:6443', 'certificate-authority-data': 'Q0E=' } }],
  users: [{ name: 'student', user: { token } }],
  contexts: [{ name: 'virtlab', context: { cluster: 'virtlab', user: 'student', namespace: 'default' } }],
  'current-context': 'virtlab',
  preferences: {},
});

test('a fresh home gets the session\'s kubeconfig as it is', () => {
  assert.deepEqual(mergeKubeconfig(source('a'), undefined), source('a'));
});

test('keeps the namespace of the context, other contexts and the current context; refreshes the token everywhere it was', () => {
  const current = {
    ...source('old'),
    users: [
      { name: 'student', user: { token: 'old' } },
      // What `oc project` / `oc login` write: their own stanzas with the same token.
      { name: 'kube:admin/127-0-0-1:6443', user: { token: 'old' } },
      { name: 'someone-else', user: { token: 'other' } },
    ],
    contexts: [
      { name: 'virtlab', context: { cluster: 'virtlab', user: 'student', namespace: 'ha-lab' } },
      { name: 'ha-lab/127-0-0-1:6443/kube:admin', context: { cluster: 'virtlab', user: 'kube:admin/127-0-0-1:6443', namespace: 'ha-lab' } },
    ],
    'current-context': 'ha-lab/127-0-0-1:6443/kube:admin',
  };
  const merged = mergeKubeconfig(source('new'), current) as typeof current;
  assert.deepEqual(merged.users, [
    { name: 'student', user: { token: 'new' } },
    { name: 'kube:admin/127-0-0-1:6443', user: { token: 'new' } },
    { name: 'someone-else', user: { token: 'other' } },
  ]);
  assert.equal(merged.contexts[0].context.namespace, 'ha-lab');
  assert.equal(merged.contexts.length, 2);
  assert.equal(merged['current-context'], 'ha-lab/127-0-0-1:6443/kube:admin');
});
