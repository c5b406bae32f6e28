// `periscope ui`: the web UI against any VictoriaMetrics (production data, read-only), and the listen
// address parsing `periscope run` shares.
import { ConfigError, createSecretResolver, loadTargetsFile } from '../shared/config/index.js';
import { vmAuthFromEnv } from '../shared/victoria-metrics/index.js';
import { catalogFromFile, createVmReader, emptyCatalog, type Catalog } from '../shared/reporting/index.js';
import { withAlertRules } from '../shared/reporting/catalog.js';
import { loadAlertingConfig } from '../shared/alerting/rules/load.js';
import { redactUrl } from '../shared/victoria-metrics/index.js';
import { parseAllowedHosts, startUiServer, type UiServer } from '../shared/ui/index.js';
import { portInUseText } from './port-holder.js';
import { vmUrlFor } from './run-state.js';

export const DEFAULT_UI_PORT = 8430;

export interface UiFlags {
  vmUrl?: string;
  config?: string;
  listen: string;
  /** Comma-separated host names a browser may use besides addresses and localhost (DNS rebinding guard). */
  allowedHosts?: string;
  dataDir?: string;
}

/** host:port, :port, a bare port, or a bare host (default port); IPv6 in brackets. */
export function parseListen(text: string): { host: string; port: number } {
  const value = text.trim();
  const bad = () => new ConfigError('command line', [{ path: '--listen', message: `"${text}" is not host:port (e.g. 127.0.0.1:${DEFAULT_UI_PORT}, 0.0.0.0:8430, :8430)` }]);
  const m = /^\d+$/.test(value) ? ['', '', value] : /^(\[[0-9a-fA-F:.]+\]|[^:[\]]*)(?::(\d*))?$/.exec(value);
  if (!m) throw bad();
  const host = (m[1] ?? '').replace(/^\[|\]$/g, '');
  const portText = m[2] ?? '';
  const port = portText === '' ? DEFAULT_UI_PORT : Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw bad();
  return { host: host || '127.0.0.1', port };
}

export async function startUi(
  vmUrl: string,
  catalog: Catalog,
  listen: string,
  auth?: Awaited<ReturnType<typeof vmAuthFromEnv>>,
  allowedHosts?: string,
): Promise<UiServer> {
  const { host, port } = parseListen(listen);
  const reader = createVmReader({ url: vmUrl, ...(auth ? { auth } : {}) });
  try {
    return await startUiServer({ reader, catalog, source: redactUrl(vmUrl).replace(/\/$/, ''), host, port, allowedHosts: parseAllowedHosts(allowedHosts) });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new ConfigError('command line', [{ path: '--listen', message: `${host}:${port}: ${await portInUseText(port)}; pass --listen with another port` }]);
    }
    throw err;
  }
}

export async function uiCommand(flags: UiFlags): Promise<number> {
  const vmUrl = await vmUrlFor(flags.vmUrl, flags.dataDir);
  // The targets file adds what samples do not carry: intervals (coverage), slo, and the rules' annotations.
  const file = flags.config ? await loadTargetsFile(flags.config) : undefined;
  const catalog = file && flags.config ? withAlertRules(catalogFromFile(file), await loadAlertingConfig(file, flags.config)) : emptyCatalog();
  const auth = await vmAuthFromEnv(process.env, createSecretResolver(), 'VM_QUERY');
  const ui = await startUi(vmUrl, catalog, flags.listen, auth, flags.allowedHosts);
  process.stdout.write(`Periscope UI: ${ui.url} (read-only, data from ${redactUrl(vmUrl)}); press Ctrl-C to stop\n`);
  await new Promise<void>((done) => {
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
  await ui.close();
  return 0;
}
