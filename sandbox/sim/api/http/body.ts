// Reading and decoding request bodies: size limit, JSON, YAML and the
// protobuf kubectl 1.32 sends for typed-client requests.

import type { IncomingMessage } from 'node:http';
import { parseDocument } from 'yaml';
import { ApiError, Errors } from '../errors.ts';
import { decodeKubernetesProtobuf, ProtobufError } from '../protobuf/decode.ts';

/** The apiserver's request body limit (3 MiB). */
export const MAX_BODY_BYTES = 3 * 1024 * 1024;

export async function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (declared > limit) {
    req.resume();
    throw Errors.tooLarge(`Request entity too large: limit is ${limit}`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      req.resume();
      throw Errors.tooLarge(`Request entity too large: limit is ${limit}`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

export type BodyFormat = 'json' | 'yaml' | 'protobuf';

export function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0].trim().toLowerCase();
}

/** Where in the text a JSON parse error happened, as "line L, column C". */
function jsonErrorWhere(text: string, message: string): string {
  const m = /position (\d+)/.exec(message);
  if (!m) return '';
  const pos = Number(m[1]);
  const before = text.slice(0, pos);
  const line = before.split('\n').length;
  const column = pos - before.lastIndexOf('\n');
  return ` (line ${line}, column ${column})`;
}

export function parseJson(buf: Buffer): unknown {
  const text = buf.toString('utf8');
  try {
    return JSON.parse(text);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    throw Errors.badRequest(`the request body is not valid JSON: ${msg}${jsonErrorWhere(text, msg)}`);
  }
}

export function parseYaml(buf: Buffer): unknown {
  const text = buf.toString('utf8');
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length) {
    const e = doc.errors[0];
    const offset = e.pos?.[0];
    const before = offset === undefined ? '' : text.slice(0, offset);
    const where = offset === undefined ? '' : ` at line ${before.split('\n').length}, column ${offset - before.lastIndexOf('\n')}`;
    throw Errors.badRequest(`the request body is not valid YAML${where}: ${e.message.split('\n')[0]}`);
  }
  return doc.toJS({ maxAliasCount: 100 });
}

/** Decodes a create/update body by its Content-Type. */
export function decodeObjectBody(buf: Buffer, contentType: string | undefined): unknown {
  const mt = mediaType(contentType);
  if (mt === 'application/json' || mt === '') return parseJson(buf);
  if (mt === 'application/yaml' || mt === 'application/x-yaml' || mt === 'text/yaml') return parseYaml(buf);
  if (mt === 'application/vnd.kubernetes.protobuf') {
    try {
      return decodeKubernetesProtobuf(buf);
    } catch (e) {
      if (e instanceof ApiError) throw e;
      if (e instanceof ProtobufError && e.code === 'unsupported') throw Errors.unsupportedMediaType(e.message);
      throw Errors.badRequest(`the request body could not be decoded as protobuf: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  throw Errors.unsupportedMediaType(`the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf`);
}
