// Every active namespace gets a "default" ServiceAccount, as the
// serviceaccounts controller of kube-controller-manager ensures.

import type { Controller } from '../../runtime/controller.ts';
import type { ControllerDeps } from '../types.ts';

export function serviceAccountController(deps: ControllerDeps): Controller {
  const { client } = deps;
  return {
    name: 'serviceaccount',
    watches: [
      { resource: 'namespaces', map: (o) => [o.metadata.name!] },
      { resource: 'serviceaccounts', map: (o) => (o.metadata.name === 'default' ? [o.metadata.namespace!] : []) },
    ],
    async reconcile(namespace) {
      const ns = client.get('namespaces', undefined, namespace);
      if (!ns || ns.metadata.deletionTimestamp) return;
      if (client.get('serviceaccounts', namespace, 'default')) return;
      await client.create('serviceaccounts', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace } });
    },
  };
}
