// Lookups over the kinds a cluster serves: by resource, by kind, by short name.

import type { KindDef } from './types.ts';
import { resourceKey } from './types.ts';

export class KindRegistry {
  readonly kinds: readonly KindDef[];
  private readonly byResource = new Map<string, KindDef>();
  private readonly byKind = new Map<string, KindDef>();

  constructor(kinds: KindDef[]) {
    this.kinds = kinds;
    for (const k of kinds) {
      const rk = `${k.group}/${k.version}/${k.plural}`;
      if (this.byResource.has(rk)) throw new Error(`kind ${k.kind}: resource ${rk} registered twice`);
      this.byResource.set(rk, k);
      this.byKind.set(`${k.group}/${k.version}/${k.kind}`, k);
    }
  }

  /** By group, version and plural resource name, as in a URL. */
  resource(group: string, version: string, plural: string): KindDef | undefined {
    return this.byResource.get(`${group}/${version}/${plural}`);
  }

  /** By apiVersion and kind, as in a manifest. */
  kind(group: string, version: string, kind: string): KindDef | undefined {
    return this.byKind.get(`${group}/${version}/${kind}`);
  }

  /** Group → versions served, in registration order. */
  groups(): Map<string, string[]> {
    const out = new Map<string, string[]>();
    for (const k of this.kinds) {
      const versions = out.get(k.group) ?? [];
      if (!versions.includes(k.version)) versions.push(k.version);
      out.set(k.group, versions);
    }
    return out;
  }

  inGroupVersion(group: string, version: string): KindDef[] {
    return this.kinds.filter((k) => k.group === group && k.version === version);
  }

  storeKey(k: KindDef): string {
    return resourceKey(k.group, k.plural);
  }
}
