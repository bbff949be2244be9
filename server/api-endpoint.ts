// The one HTTPS listener that serves every embedded cluster's API (the bearer
// token picks the cluster). Its port and certificate are kept in the database,
// so after a restart the kubeconfigs handed out earlier still reach it and
// still trust it.

import { listenApi, type ApiListener } from '../sandbox/sim/api/http/listen.ts';
import { selfSignedCertificate, type ServingCertificate } from '../sandbox/sim/api/http/tls.ts';
import type { SimHost } from '../sandbox/sim/host.ts';
import type { Database } from './db.ts';

const PORT_KEY = 'embedded_api_port';
const CERT_KEY = 'embedded_api_certificate';

async function setting(db: Database, key: string): Promise<string | undefined> {
  return (await db.get<{ value: string }>('SELECT value FROM settings WHERE key = ?', [key]))?.value;
}

async function saveSetting(db: Database, key: string, value: string): Promise<void> {
  await db.run('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value', [key, value]);
}

export interface ApiEndpointOptions {
  address: string;
  /** A port to use; without it the port of the last run, else a free one. */
  port?: number;
  log(line: string): void;
}

export async function listenApiEndpoint(db: Database, host: SimHost, opts: ApiEndpointOptions): Promise<ApiListener> {
  const storedCert = await setting(db, CERT_KEY);
  let certificate: ServingCertificate;
  if (storedCert) certificate = JSON.parse(storedCert) as ServingCertificate;
  else {
    certificate = selfSignedCertificate(['127.0.0.1', 'localhost', ...(opts.address !== '127.0.0.1' && opts.address !== '0.0.0.0' ? [opts.address] : [])]);
    await saveSetting(db, CERT_KEY, JSON.stringify(certificate));
  }
  const stored = await setting(db, PORT_KEY);
  const wanted = opts.port ?? (stored ? Number(stored) : 0);
  let api: ApiListener;
  try {
    api = await listenApi(host, { port: wanted, address: opts.address, certificate });
  } catch (e) {
    if ((e as { code?: string }).code !== 'EADDRINUSE' || opts.port !== undefined) throw e;
    // The last run's port is taken now: shells get kubeconfigs for the new one.
    opts.log(`cluster API port ${wanted} is in use; kubeconfigs handed out before point at it and must be fetched again`);
    api = await listenApi(host, { port: 0, address: opts.address, certificate });
  }
  await saveSetting(db, PORT_KEY, String(api.port));
  return api;
}
