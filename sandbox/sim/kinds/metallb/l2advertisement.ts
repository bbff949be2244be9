// metallb.io/v1beta1 L2Advertisement: which pools MetalLB announces with ARP/NDP,
// from which nodes and interfaces. Its webhook
// (l2advertisementvalidationwebhook.metallb.io) only accepts objects in MetalLB's
// namespace; the remaining checks need the other MetalLB objects.

import type { KubeObject } from '../../api/object.ts';
import { arr, inlineLabelSelector, int, obj, str } from '../schema.ts';
import type { AdmissionResult, KindDef, Operation } from '../types.ts';
import { metallbConfig, metallbDenial } from './ipaddresspool.ts';

export const L2ADVERTISEMENT_WEBHOOK = 'l2advertisementvalidationwebhook.metallb.io';

export function admitL2Advertisement(adv: KubeObject, _old: KubeObject | undefined, op: Operation): AdmissionResult {
  if (op === 'CREATE' && adv.metadata.namespace !== metallbConfig.namespace) {
    return { denied: metallbDenial(L2ADVERTISEMENT_WEBHOOK, `resource must be created in ${metallbConfig.namespace} namespace`) };
  }
  return {};
}

export const l2AdvertisementKind: KindDef = {
  group: 'metallb.io',
  version: 'v1beta1',
  kind: 'L2Advertisement',
  plural: 'l2advertisements',
  singular: 'l2advertisement',
  namespaced: true,
  custom: true,
  subresources: { status: true },
  schemaName: 'io.metallb.v1beta1.L2Advertisement',
  schema: obj({
    spec: obj({
      ipAddressPools: arr(str(), 'Pools to announce, by name. With no pools and no pool selectors, every pool is announced.'),
      ipAddressPoolSelectors: arr(inlineLabelSelector(), 'Pools to announce, by label.'),
      nodeSelectors: arr(inlineLabelSelector(), 'Nodes allowed to announce the addresses; all nodes when empty.'),
      interfaces: arr(str(), 'Host interfaces to announce from; all interfaces when empty.'),
      serviceSelectors: arr(inlineLabelSelector(), 'Services whose addresses are announced; all when empty.'),
      preferredNodeSelectors: arr(obj({
        weight: { ...int('Added to the score of matching nodes in the leader election (1-100).'), minimum: 1, maximum: 100 },
        preference: inlineLabelSelector('Nodes the weight applies to.'),
      }, { required: ['preference', 'weight'] }), 'Weighted preferences for which node announces.'),
    }, { description: 'What is announced over layer 2, and from where.' }),
    status: obj({}, { description: 'Not used.' }),
  }),
  description: 'Announces the addresses of some IPAddressPools on the local network (ARP for IPv4, NDP for IPv6) from one elected node per Service.',
  printerColumns: [
    { name: 'IPAddressPools', type: 'string', jsonPath: '.spec.ipAddressPools' },
    { name: 'IPAddressPool Selectors', type: 'string', jsonPath: '.spec.ipAddressPoolSelectors' },
    { name: 'Interfaces', type: 'string', jsonPath: '.spec.interfaces' },
    { name: 'Node Selectors', type: 'string', jsonPath: '.spec.nodeSelectors', priority: 10 },
  ],
  prepareForCreate(adv) {
    delete adv.status;
  },
  admit: admitL2Advertisement,
};
