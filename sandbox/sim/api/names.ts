// Object name rules (apimachinery validation) and generateName suffixes.

import type { FieldErrorLike } from './errors.ts';

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

export type NameRule = 'subdomain' | 'label' | 'label1035' | 'path-segment';

/** Messages as apimachinery's IsDNS1123Subdomain / IsDNS1123Label / IsDNS1035Label. */
export function nameErrors(name: string, rule: NameRule): string[] {
  const errs: string[] = [];
  switch (rule) {
    case 'label':
      if (name.length > 63) errs.push('must be no more than 63 characters');
      if (!DNS1123_LABEL.test(name)) errs.push(`a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`);
      break;
    case 'label1035':
      if (name.length > 63) errs.push('must be no more than 63 characters');
      if (!DNS1035_LABEL.test(name)) errs.push(`a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')`);
      break;
    case 'path-segment':
      if (name === '.' || name === '..') errs.push(`may not be '${name}'`);
      if (/[/%]/.test(name)) errs.push(`may not contain '/' or '%'`);
      break;
    default:
      if (name.length > 253) errs.push('must be no more than 253 characters');
      if (!DNS1123_SUBDOMAIN.test(name)) errs.push(`a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`);
  }
  return errs;
}

export function validateObjectName(name: string | undefined, generateName: string | undefined, rule: NameRule): FieldErrorLike[] {
  if (!name) {
    return generateName ? [] : [{ type: 'Required', field: 'metadata.name', detail: 'name or generateName is required' }];
  }
  return nameErrors(name, rule).map((detail) => ({ type: 'Invalid', field: 'metadata.name', value: name, detail }));
}

const SUFFIX_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** generateName: the prefix (cut so the whole name fits 63) plus five random characters, as the apiserver does. */
export function generateObjectName(prefix: string, random: () => number = Math.random): string {
  const base = prefix.length > 58 ? prefix.slice(0, 58) : prefix;
  let s = '';
  for (let i = 0; i < 5; i++) s += SUFFIX_ALPHABET[Math.floor(random() * SUFFIX_ALPHABET.length)];
  return base + s;
}
