// Where each hop of one HTTP probe connects: the host and port of its URL, the TLS options (built once per
// probe) and the addresses already resolved. The configured server_name (or a Host override) applies to the
// first host; a redirect to another host verifies that host's name, as blackbox's second transport does.
import { isIP } from 'node:net';
import type { HttpModule, SecretResolver } from '../../config/index.js';
import type { ProbeBudget } from '../deadline.js';
import { resolveHost, type Resolved } from '../resolve.js';
import { buildTlsOptions } from '../tls.js';
import type { ConnectTarget, HopTlsOptions } from './connect.js';
import { overrideHostname } from './request.js';

export class HopTargets {
  /** The first hop's address: what probe_ip_protocol and probe_ip_addr_hash report. */
  firstResolved: Resolved | undefined;
  private tlsBase: Promise<HopTlsOptions> | undefined;
  private readonly resolvedByHost = new Map<string, Resolved>();

  constructor(
    private readonly module: HttpModule,
    private readonly firstUrl: URL,
    private readonly hostOverride: string | undefined,
    private readonly secrets: SecretResolver,
    private readonly budget: ProbeBudget,
    /** Told each name resolved (the debug log). */
    private readonly onResolved?: (hostname: string, resolved: Resolved) => void,
  ) {}

  async target(url: URL): Promise<ConnectTarget> {
    const hostname = url.hostname.replace(/^\[|\]$/g, '');
    const https = url.protocol === 'https:';
    return {
      hostname,
      port: url.port ? Number(url.port) : https ? 443 : 80,
      tls: https ? await this.tlsOptions(url, hostname) : undefined,
      insecureSkipVerify: this.module.tls_config?.insecure_skip_verify ?? false,
      resolve: (name) => this.resolve(name),
      budget: this.budget,
    };
  }

  private async tlsOptions(url: URL, hostname: string): Promise<HopTlsOptions> {
    const first = this.firstUrl;
    if (!this.tlsBase) {
      const override = this.hostOverride;
      const name = override !== undefined ? overrideHostname(override) : first.hostname.replace(/^\[|\]$/g, '');
      this.tlsBase = buildTlsOptions(this.module.tls_config, name, this.secrets).then((options) =>
        this.module.enable_http2 ? { ...options, ALPNProtocols: ['h2', 'http/1.1'] } : options,
      );
    }
    const base = await this.tlsBase;
    if (url.host === first.host) return base;
    const { servername: _servername, checkName: _checkName, ...rest } = base;
    return { ...rest, checkName: hostname, ...(isIP(hostname) === 0 ? { servername: hostname } : {}) };
  }

  private async resolve(hostname: string): Promise<Resolved> {
    const cached = this.resolvedByHost.get(hostname);
    if (cached) return { ...cached, seconds: 0 };
    const first = this.firstResolved === undefined;
    // Later hops resolve like Go's dialer would: the preferred family if there is one, else any.
    const fallback = first ? this.module.ip_protocol_fallback : true;
    const resolved = await resolveHost(hostname, this.module.preferred_ip_protocol, fallback, this.budget);
    if (first) this.firstResolved = resolved;
    this.resolvedByHost.set(hostname, resolved);
    this.onResolved?.(hostname, resolved);
    return resolved;
  }
}
