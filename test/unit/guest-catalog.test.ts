import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { bootSeconds, parseImageRef, resolveImage } from '../../sandbox/sim/guest/catalog.ts';
import { cloudFinalSeconds, commandLine, parseUserData } from '../../sandbox/sim/guest/cloud-init.ts';

describe('guest catalog', () => {
  it('splits image references into repository and tag', () => {
    assert.deepEqual(parseImageRef('quay.io/containerdisks/fedora:40'), { repo: 'quay.io/containerdisks/fedora', tag: '40' });
    assert.deepEqual(parseImageRef('quay.io/virtlab/webserver'), { repo: 'quay.io/virtlab/webserver', tag: 'latest' });
    assert.deepEqual(parseImageRef('registry.redhat.io/rhel9/rhel-guest-image:9.4@sha256:abc'), { repo: 'registry.redhat.io/rhel9/rhel-guest-image', tag: '9.4' });
    assert.deepEqual(parseImageRef('docker.io/kubevirt/cirros-container-disk-demo'), { repo: 'kubevirt/cirros-container-disk-demo', tag: 'latest' });
  });

  const table: [string, string, string, string[], string[], boolean][] = [
    // image, family, pretty name, packages that must be there, enabled units, agent
    ['quay.io/virtlab/webserver:latest', 'fedora', 'Fedora Linux 41 (Cloud Edition)', ['httpd', 'watchdog', 'qemu-guest-agent', 'openssh-server'], ['httpd', 'watchdog', 'qemu-guest-agent', 'sshd'], true],
    ['quay.io/virtlab/database:latest', 'fedora', 'Fedora Linux 41 (Cloud Edition)', ['mariadb-server', 'watchdog', 'qemu-guest-agent'], ['mariadb', 'watchdog', 'qemu-guest-agent', 'sshd'], true],
    ['quay.io/containerdisks/fedora:40', 'fedora', 'Fedora Linux 40 (Cloud Edition)', ['qemu-guest-agent', 'openssh-server'], ['qemu-guest-agent', 'sshd'], true],
    ['quay.io/containerdisks/centos-stream:9', 'centos', 'CentOS Stream 9', ['qemu-guest-agent'], ['qemu-guest-agent', 'sshd'], true],
    ['registry.redhat.io/rhel9/rhel-guest-image:9.4', 'rhel', 'Red Hat Enterprise Linux 9.4 (Plow)', ['qemu-guest-agent'], ['qemu-guest-agent', 'sshd'], true],
    ['quay.io/kubevirt/cirros-container-disk-demo', 'cirros', 'CirrOS 0.5.2', ['openssh-server'], ['sshd'], false],
    ['example.com/someone/custom:1', 'generic', 'Linux', ['openssh-server'], ['sshd'], false],
  ];
  for (const [ref, family, pretty, packages, enabled, agent] of table) {
    it(`knows ${ref}`, () => {
      const img = resolveImage(ref);
      assert.equal(img.family, family);
      assert.equal(img.os.prettyName, pretty);
      for (const p of packages) assert.ok(img.packages.includes(p), `${ref} ships ${p}`);
      assert.deepEqual([...img.enabled].filter((u) => !['NetworkManager', 'chronyd'].includes(u)).sort(), [...enabled].sort());
      assert.equal(img.packages.includes('qemu-guest-agent'), agent);
      assert.ok(!img.enabled.includes('httpd') || img.prepared, 'only the prepared image runs httpd out of the box');
    });
  }

  it('boots Fedora-like images in 20–30 s, varying by VMI name but deterministically', () => {
    const img = resolveImage('quay.io/containerdisks/fedora:40');
    const times = ['a', 'web1', 'web2', 'db', 'frontend-7', 'x'].map((n) => bootSeconds(img, n));
    for (const t of times) assert.ok(t >= 20 && t <= 30, `boot time ${t}`);
    assert.ok(new Set(times).size > 1, 'names give some variety');
    assert.equal(bootSeconds(img, 'web1'), bootSeconds(resolveImage('quay.io/virtlab/webserver'), 'web1'));
    assert.ok(bootSeconds(resolveImage('quay.io/kubevirt/cirros-container-disk-demo'), 'c') < 20, 'cirros boots faster');
  });
});

describe('cloud-init user data', () => {
  it('reads the keys the course uses and ignores the rest', () => {
    const cfg = parseUserData([
      '#cloud-config',
      'user: fedora',
      'password: fedora',
      'chpasswd: { expire: False }',
      'hostname: frontend',
      'packages:',
      '  - httpd',
      '  - [watchdog, 5.16]',
      'bootcmd:',
      '  - echo booting',
      'runcmd:',
      '  - systemctl enable --now httpd',
      '  - [systemctl, enable, --now, watchdog]',
      'write_files:',
      '  - path: /var/www/html/index.html',
      '    content: |',
      '      hello',
      '  - path: /etc/motd',
      '    encoding: b64',
      `    content: ${Buffer.from('welcome\n').toString('base64')}`,
      '    defer: true',
    ].join('\n'));
    assert.equal(cfg.kind, 'cloud-config');
    assert.equal(cfg.hostname, 'frontend');
    assert.deepEqual(cfg.packages, ['httpd', 'watchdog']);
    assert.deepEqual(cfg.runcmd, ['systemctl enable --now httpd', ['systemctl', 'enable', '--now', 'watchdog']]);
    assert.deepEqual(cfg.bootcmd, ['echo booting']);
    assert.deepEqual(cfg.writeFiles, [
      { path: '/var/www/html/index.html', content: 'hello\n', append: false, defer: false },
      { path: '/etc/motd', content: 'welcome\n', append: false, defer: true },
    ]);
    assert.equal(cloudFinalSeconds(cfg), 3 + 10 + 4 * 2);
  });

  it('treats scripts, empty data and non-cloud-config text as cloud-init does', () => {
    assert.equal(parseUserData(undefined).kind, 'none');
    assert.equal(parseUserData('#!/bin/bash\necho hi\n').kind, 'script');
    const bad = parseUserData('packages: [httpd]');
    assert.equal(bad.kind, 'invalid');
    assert.deepEqual(bad.packages, []);
    assert.equal(parseUserData('#cloud-config\npackages: [httpd\n').kind, 'invalid');
  });

  it('quotes argv entries the way a generated script would', () => {
    assert.equal(commandLine(['sh', '-c', 'echo ok > /tmp/x']), `sh -c 'echo ok > /tmp/x'`);
    assert.equal(commandLine('systemctl restart httpd'), 'systemctl restart httpd');
  });
});
