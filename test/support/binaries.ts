// Where the real servers the tests run come from. A missing one is reported with the command that
// installs it, so a fresh machine fails with instructions rather than an ENOENT deep inside a test.
import { accessSync, constants, readdirSync } from 'node:fs';
import { delimiter, join } from 'node:path';

export interface SearchOptions {
  /** Directories searched for plain executables; default: $PATH, then /usr/bin and /usr/local/bin. */
  pathDirs?: string[];
  /** Where Debian keeps one directory per PostgreSQL major version; default /usr/lib/postgresql. */
  postgresRoot?: string;
}

const SETUP_HINT = "(or 'bash scripts/setup-system.sh')";
const DEBIAN_POSTGRES_ROOT = '/usr/lib/postgresql';

function installMessage(binary: string, debianPackage: string): string {
  return `${binary} is not installed: run 'sudo apt-get install -y ${debianPackage}' ${SETUP_HINT}`;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function defaultPathDirs(): string[] {
  const fromEnv = (process.env.PATH ?? '').split(delimiter).filter(Boolean);
  return [...fromEnv, '/usr/bin', '/usr/local/bin'];
}

function searchPath(name: string, options: SearchOptions): string | undefined {
  for (const dir of options.pathDirs ?? defaultPathDirs()) {
    const candidate = join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

export function findVictoriaMetrics(options: SearchOptions = {}): string {
  const found = searchPath('victoria-metrics', options);
  if (!found) throw new Error(installMessage('victoria-metrics', 'victoria-metrics'));
  return found;
}

/** vmauth ships in the same Debian package as VictoriaMetrics. */
export function findVmauth(options: SearchOptions = {}): string {
  const found = searchPath('vmauth', options);
  if (!found) throw new Error(installMessage('vmauth', 'victoria-metrics'));
  return found;
}

/** vmalert ships in the same Debian package as VictoriaMetrics (1.79 there): the oracle for alert evaluation. */
export function findVmalert(options: SearchOptions = {}): string {
  const found = searchPath('vmalert', options);
  if (!found) throw new Error(installMessage('vmalert', 'victoria-metrics'));
  return found;
}

/** Debian names Alertmanager's binary prometheus-alertmanager (0.25): the oracle for notifications. */
export function findAlertmanager(options: SearchOptions = {}): string {
  const found = searchPath('prometheus-alertmanager', options);
  if (!found) throw new Error(installMessage('prometheus-alertmanager', 'prometheus-alertmanager'));
  return found;
}

export function findBlackboxExporter(options: SearchOptions = {}): string {
  const found = searchPath('prometheus-blackbox-exporter', options);
  if (!found) throw new Error(installMessage('prometheus-blackbox-exporter', 'prometheus-blackbox-exporter'));
  return found;
}

export function findPrometheus(options: SearchOptions = {}): string {
  const found = searchPath('prometheus', options);
  if (!found) throw new Error(installMessage('prometheus', 'prometheus'));
  return found;
}

/** dnsmasq lives in /usr/sbin, which is not on every user's PATH. */
export function findDnsmasq(options: SearchOptions = {}): string {
  const found = searchPath('dnsmasq', { ...options, pathDirs: [...(options.pathDirs ?? defaultPathDirs()), '/usr/sbin'] });
  if (!found) throw new Error(installMessage('dnsmasq', 'dnsmasq-base'));
  return found;
}

/** Debian's chromium, for the browser tests (puppeteer-core drives it; nothing downloads a browser). */
export function findChromium(options: SearchOptions = {}): string {
  const found = searchPath('chromium', options);
  if (!found) throw new Error(installMessage('chromium', 'chromium'));
  return found;
}

/** Major versions under the Debian root, newest first ("15", "16", also "9.6" on old machines). */
function postgresVersions(root: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(root);
  } catch {
    return [];
  }
  return entries
    .filter((entry) => /^\d+(\.\d+)?$/.test(entry))
    .sort((a, b) => Number.parseFloat(b) - Number.parseFloat(a));
}

export type PostgresBinary = 'initdb' | 'pg_ctl' | 'postgres';

/**
 * The newest installed PostgreSQL's server binary. Debian keeps these off $PATH under
 * /usr/lib/postgresql/<major>/bin; elsewhere (Homebrew, source builds) they are on $PATH.
 */
export function findPostgresBinary(name: PostgresBinary, options: SearchOptions = {}): string {
  const root = options.postgresRoot ?? DEBIAN_POSTGRES_ROOT;
  for (const version of postgresVersions(root)) {
    const candidate = join(root, version, 'bin', name);
    if (isExecutable(candidate)) return candidate;
  }
  const found = searchPath(name, options);
  if (!found) throw new Error(installMessage(name, 'postgresql'));
  return found;
}

export const findInitdb = (options: SearchOptions = {}): string => findPostgresBinary('initdb', options);
export const findPgCtl = (options: SearchOptions = {}): string => findPostgresBinary('pg_ctl', options);

export interface RequiredBinaries {
  victoriaMetrics: string;
  blackboxExporter: string;
  initdb: string;
  pgCtl: string;
  prometheus: string;
  vmalert: string;
  alertmanager: string;
}

/** Every binary the suite needs; throws one error naming everything missing, one line each. */
export function findRequiredBinaries(options: SearchOptions = {}): RequiredBinaries {
  const problems: string[] = [];
  const attempt = (find: () => string): string => {
    try {
      return find();
    } catch (error) {
      problems.push(error instanceof Error ? error.message : String(error));
      return '';
    }
  };
  const found: RequiredBinaries = {
    victoriaMetrics: attempt(() => findVictoriaMetrics(options)),
    blackboxExporter: attempt(() => findBlackboxExporter(options)),
    initdb: attempt(() => findInitdb(options)),
    pgCtl: attempt(() => findPgCtl(options)),
    prometheus: attempt(() => findPrometheus(options)),
    vmalert: attempt(() => findVmalert(options)),
    alertmanager: attempt(() => findAlertmanager(options)),
  };
  if (problems.length > 0) throw new Error(problems.join('\n'));
  return found;
}
