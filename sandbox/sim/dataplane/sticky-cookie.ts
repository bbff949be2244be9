// The router's sticky cookie (`cookie <name> insert indirect nocache
// httponly` in the HAProxy backend). Its name comes from the route's
// annotation when that is a plain token, else from the route key hash; its
// value names one endpoint (md5 of the endpoint ID), so a client that sends it
// back reaches the same pod or VM while that endpoint stays in the backend.

import { createHash } from 'node:crypto';
import { headerValues, type HeaderList } from './http-message.ts';

export const COOKIE_NAME_ANNOTATION = 'router.openshift.io/cookie_name';
export const DISABLE_COOKIES_ANNOTATION = 'haproxy.router.openshift.io/disable_cookies';
export const COOKIE_SAME_SITE_ANNOTATION = 'router.openshift.io/cookie-same-site';

const COOKIE_NAME = /^[a-zA-Z0-9_-]+$/;
const SAME_SITE = /^(Lax|Strict|None)$/;
/** The spellings Go's strconv.ParseBool reads as true. */
const GO_TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);

function md5Hex(text: string): string {
  return createHash('md5').update(text).digest('hex');
}

/**
 * The route's key hash (RoutingKeyName): md5 of "<termination> <namespace>:<name>",
 * where the router computes it before it fills in the termination, so the
 * text always starts with a space.
 */
export function routingKeyName(namespace: string, name: string): string {
  return md5Hex(` ${namespace}:${name}`);
}

export function cookiesDisabled(annotations: Record<string, string>): boolean {
  return GO_TRUE.has(annotations[DISABLE_COOKIES_ANNOTATION] ?? '');
}

export function cookieName(namespace: string, name: string, annotations: Record<string, string>): string {
  const wanted = annotations[COOKIE_NAME_ANNOTATION] ?? '';
  return COOKIE_NAME.test(wanted) ? wanted : routingKeyName(namespace, name);
}

/** The router's endpoint ID: pod:<pod>:<service>:<port name>:<ip>:<port>, or ept:… without a pod. */
export function endpointId(e: { podName?: string; service: string; portName: string; ip: string; port: number }): string {
  return e.podName
    ? `pod:${e.podName}:${e.service}:${e.portName}:${e.ip}:${e.port}`
    : `ept:${e.service}:${e.portName}:${e.ip}:${e.port}`;
}

export function cookieValue(endpointIdText: string): string {
  return md5Hex(endpointIdText);
}

/** The value of a cookie the client sent, from any of its Cookie headers. */
export function requestCookie(headers: HeaderList, name: string): string | undefined {
  for (const line of headerValues(headers, 'cookie')) {
    for (const part of line.split(';')) {
      const eq = part.indexOf('=');
      if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
    }
  }
  return undefined;
}

/**
 * The Set-Cookie value HAProxy inserts. Edge and reencrypt routes that do not
 * allow plain HTTP also mark it Secure with a SameSite attribute.
 */
export function setCookieHeader(name: string, value: string, secure?: { annotations: Record<string, string> }): string {
  let out = `${name}=${value}; path=/; HttpOnly`;
  if (secure) {
    const wanted = secure.annotations[COOKIE_SAME_SITE_ANNOTATION] ?? '';
    out += `; Secure; SameSite=${SAME_SITE.test(wanted) ? wanted : 'None'}`;
  }
  return out;
}
