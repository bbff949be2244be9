// How long the kubelet takes to act on a probe, with Kubernetes' defaults
// for what a probe leaves out.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { probeFailureSeconds, probeSuccessSeconds } from '../../graders/sdk/index.ts';

describe('probe timing', () => {
  it('gives up after periodSeconds × failureThreshold plus one timeout (defaults 10, 3, 1)', () => {
    assert.equal(probeFailureSeconds({ httpGet: { port: 8080 } }), 31);
    assert.equal(probeFailureSeconds({ tcpSocket: { port: 3306 }, periodSeconds: 5, failureThreshold: 2, timeoutSeconds: 2 }), 12);
  });

  it('counts a failed probe as passing again after periodSeconds × successThreshold (defaults 10, 1)', () => {
    assert.equal(probeSuccessSeconds({ httpGet: { port: 8080 } }), 10);
    assert.equal(probeSuccessSeconds({ httpGet: { port: 8080 }, periodSeconds: 5, successThreshold: 3 }), 15);
  });
});
