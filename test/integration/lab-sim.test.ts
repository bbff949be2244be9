// `lab sim` as a student runs it: a process that prints `ready`, writes a
// kubeconfig kubectl can use, and stops cleanly on SIGTERM.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { KubeConfig } from '@kubernetes/client-node';

const lab = new URL('../../bin/lab.mjs', import.meta.url).pathname;
const run = promisify(execFile);

describe('lab sim', () => {
  it('serves a cluster kubectl can use and stops on SIGTERM', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'virtlab-sim-'));
    const kubeconfig = join(dir, 'k.yaml');
    const child = spawn(process.execPath, [lab, 'sim', '--port', '0', '--kubeconfig', kubeconfig, '--nodes', '2', '--time-scale', '10'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    let err = '';
    child.stderr.on('data', (d) => { err += d; });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      await new Promise<void>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`no ready line: ${out} ${err}`)), 20000);
        child.stdout.on('data', () => { if (/^ready/m.test(out)) { clearTimeout(t); resolve(); } });
      });
      assert.match(out, /^ready: API server https:\/\/127\.0\.0\.1:\d+, external proxy http:\/\/127\.0\.0\.1:\d+/m);
      const proxy = /external proxy (http:\/\/127\.0\.0\.1:\d+)/.exec(out)![1];
      const cfg = readFileSync(kubeconfig, 'utf8');
      assert.match(cfg, /current-context: virtlab/);
      assert.match(cfg, /token: /);
      const cluster = (parseYaml(cfg) as { clusters: { cluster: { extensions: unknown } }[] }).clusters[0].cluster;
      assert.deepEqual(cluster.extensions, [{ name: 'virtlab.dev/embedded', extension: { externalProxy: proxy, timeScale: 10 } }]);
      assert.equal(readFileSync(`${kubeconfig}.env`, 'utf8'), [
        '# virtlab embedded cluster: source this file (. <file>) to point kubectl, oc and curl at it.',
        `export KUBECONFIG=${kubeconfig}`,
        `export HTTP_PROXY=${proxy} http_proxy=${proxy}`,
        'export NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost',
        '',
      ].join('\n'));
      const kc = new KubeConfig();
      kc.loadFromFile(kubeconfig);
      assert.match(kc.getCurrentCluster()?.server ?? '', /^https:\/\/127\.0\.0\.1:\d+$/);
      const sourced = await run('sh', ['-c', `. ${kubeconfig}.env && curl -s http://172.30.0.1/ && kubectl get ns default -o name`], { env: { PATH: process.env.PATH, HOME: dir } });
      assert.match(sourced.stdout, /^virtlab proxy: 172\.30\.0\.1 is the cluster IP of Service default\/kubernetes; cluster IPs are not reachable from outside the cluster\./);
      assert.match(sourced.stdout, /^namespace\/default$/m);
      const { stdout } = await run('kubectl', ['get', 'nodes', '-o', 'name'], { env: { ...process.env, KUBECONFIG: kubeconfig, HOME: dir } });
      assert.deepEqual(stdout.trim().split('\n').sort(), ['node/master-0', 'node/master-1', 'node/master-2', 'node/worker-0', 'node/worker-1']);
      child.kill('SIGTERM');
      assert.equal(await exited, 0);
    } finally {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses bad flags with a message and a non-zero exit', async () => {
    const r = await run(process.execPath, [lab, 'sim', '--port', 'abc']).catch((e: { code: number; stderr: string }) => e);
    assert.equal((r as { code: number }).code, 2);
    assert.match((r as { stderr: string }).stderr, /--port must be a port number between 0 and 65535, got "abc"/);
  });
});
