// A Service's shape in the words of messages: its selector, its ports, and
// where it forwards a port (targetPort left out means the port itself).

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { V1Service } from '@kubernetes/client-node';
import { describeForwarding, describeServicePorts, describeServiceSelector, forwardedPort, forwardsTo } from '../../graders/sdk/index.ts';

const svc = (ports: NonNullable<V1Service['spec']>['ports']): V1Service => ({ metadata: { name: 'frontend', namespace: 'ha-review' }, spec: { selector: { tier: 'frontend' }, ports } });

describe('Service shape', () => {
  it('writes a selector, or says there is none', () => {
    assert.equal(describeServiceSelector({ app: 'web', tier: 'frontend' }), 'app=web,tier=frontend');
    assert.equal(describeServiceSelector({}), 'nothing (no selector)');
    assert.equal(describeServiceSelector(undefined), 'nothing (no selector)');
  });

  it('lists the ports with where each leads', () => {
    assert.equal(describeServicePorts(svc([{ port: 80, targetPort: 8080 }, { port: 443 }])), '80→8080, 443→443');
    assert.equal(describeServicePorts(svc([])), '');
    assert.equal(describeServicePorts({ metadata: {} }), '');
  });

  it('finds where a port is forwarded, the port itself when targetPort is left out, and words it', () => {
    const named = forwardedPort(svc([{ name: 'http', port: 80, targetPort: 'http' }]), 80)!;
    assert.equal(named.target, 'http');
    assert.equal(forwardsTo(named, 'http'), true);
    assert.equal(describeForwarding(named), 'forwards port 80 to http');

    const defaulted = forwardedPort(svc([{ port: 80 }]), 80)!;
    assert.equal(defaulted.target, 80);
    assert.equal(forwardsTo(defaulted, 8080), false);
    assert.equal(describeForwarding(defaulted), 'forwards port 80 to 80 (a targetPort left out equals the port)');

    const numbered = forwardedPort(svc([{ port: 80, targetPort: 8080 }]), 80)!;
    assert.equal(forwardsTo(numbered, 8080), true);
    assert.equal(forwardsTo(numbered, '8080'), true, 'compared as text, as the API does');
    assert.equal(forwardedPort(svc([{ port: 80 }]), 443), undefined);
  });
});
