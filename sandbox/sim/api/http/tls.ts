// A self-signed serving certificate for the embedded API server, made with
// node:crypto and a small DER writer. kubectl sends bearer tokens only over
// TLS, so the API is served over HTTPS and the kubeconfig carries this
// certificate as its certificate authority.

import { createPrivateKey, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { isIP } from 'node:net';

function len(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v >>= 8) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function tlv(tag: number, ...content: Buffer[]): Buffer {
  const body = Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), len(body.length), body]);
}

const seq = (...c: Buffer[]): Buffer => tlv(0x30, ...c);

function oid(dotted: string): Buffer {
  const parts = dotted.split('.').map(Number);
  const out = [40 * parts[0] + parts[1]];
  for (const p of parts.slice(2)) {
    const stack = [p & 0x7f];
    for (let v = p >> 7; v > 0; v >>= 7) stack.unshift(0x80 | (v & 0x7f));
    out.push(...stack);
  }
  return tlv(0x06, Buffer.from(out));
}

function time(d: Date): Buffer {
  const iso = d.toISOString().replace(/[-:T]/g, '').slice(0, 14) + 'Z';
  // UTCTime until 2049, GeneralizedTime after (RFC 5280 §4.1.2.5).
  return d.getUTCFullYear() < 2050 ? tlv(0x17, Buffer.from(iso.slice(2))) : tlv(0x18, Buffer.from(iso));
}

function name(cn: string): Buffer {
  return seq(tlv(0x31, seq(oid('2.5.4.3'), tlv(0x0c, Buffer.from(cn)))));
}

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return seq(oid(id), ...(critical ? [tlv(0x01, Buffer.from([0xff]))] : []), tlv(0x04, value));
}

export interface ServingCertificate {
  certPem: string;
  keyPem: string;
}

/** A P-256 certificate valid for the given IPs and DNS names, acting as its own CA. */
export function selfSignedCertificate(hosts: string[] = ['127.0.0.1', 'localhost'], days = 3650, now = Date.now()): ServingCertificate {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  const serial = randomBytes(16);
  // DER integers are minimal and positive: a clear top bit and a non-zero first byte (a leading 0x00 before a byte < 0x80 is illegal padding).
  serial[0] = (serial[0] & 0x7f) | 0x40;
  const ecdsaSha256 = seq(oid('1.2.840.10045.4.3.2'));
  const san = seq(...hosts.map((h) => (isIP(h) === 4
    ? tlv(0x87, Buffer.from(h.split('.').map(Number)))
    : tlv(0x82, Buffer.from(h)))));
  const tbs = seq(
    tlv(0xa0, tlv(0x02, Buffer.from([2]))),
    tlv(0x02, serial),
    ecdsaSha256,
    name('virtlab-embedded-cluster'),
    seq(time(new Date(now - 3600_000)), time(new Date(now + days * 86400_000))),
    name('virtlab-embedded-cluster'),
    spki,
    tlv(0xa3, seq(
      extension('2.5.29.19', true, seq(tlv(0x01, Buffer.from([0xff])))),
      // digitalSignature and keyCertSign.
      extension('2.5.29.15', true, tlv(0x03, Buffer.from([0x02, 0x84]))),
      extension('2.5.29.37', false, seq(oid('1.3.6.1.5.5.7.3.1'))),
      extension('2.5.29.17', false, san),
    )),
  );
  const signature = sign('sha256', tbs, { key: privateKey as KeyObject, dsaEncoding: 'der' });
  const cert = seq(tbs, ecdsaSha256, tlv(0x03, Buffer.concat([Buffer.from([0]), signature])));
  const b64 = cert.toString('base64').replace(/(.{64})/g, '$1\n').trim();
  return {
    certPem: `-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----\n`,
    keyPem: createPrivateKey(privateKey.export({ type: 'pkcs8', format: 'pem' })).export({ type: 'pkcs8', format: 'pem' }) as string,
  };
}
