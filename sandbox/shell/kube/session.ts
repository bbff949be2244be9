// One command invocation's view of the cluster: its parsed flags, the
// kubeconfig they select, and a client built on first use.

import { flagValue, type FlagSpec, type FlagValue, type ParsedFlags } from './flags.ts';
import { overridesFrom } from './global-flags.ts';
import { ClientConfig } from './kubeconfig.ts';
import { RestClient } from './client.ts';
import type { ShellIO } from '../io.ts';

export class KubeSession {
  private config?: ClientConfig;
  private rest?: RestClient;

  constructor(readonly io: ShellIO, readonly parsed: ParsedFlags, readonly specs: FlagSpec[], private readonly userAgent: string) {}

  get args(): string[] {
    return this.parsed.args;
  }

  flag<T extends FlagValue>(name: string): T {
    const spec = this.specs.find((s) => s.name === name);
    if (!spec) throw new Error(`flag --${name} is not defined for this command`);
    return flagValue<T>(this.parsed, spec);
  }

  changed(name: string): boolean {
    return this.parsed.values.has(name);
  }

  clientConfig(): ClientConfig {
    this.config ??= ClientConfig.load(overridesFrom(this.parsed), this.io.env);
    return this.config;
  }

  namespace(): string {
    return this.clientConfig().namespace().namespace;
  }

  client(): RestClient {
    this.rest ??= new RestClient(this.clientConfig().restConfig(), this.userAgent);
    return this.rest;
  }

  close(): void {
    this.rest?.close();
  }
}
