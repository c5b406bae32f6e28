// The `periscope` command line. Exit status: 0 success, 1 a probe failed, 2 bad input.
import { Command, CommanderError, Option } from 'commander';
import { ConfigError, createSecretResolver, SecretError } from '../shared/config/index.js';
import { runProbe } from '../shared/probing/index.js';
import { formatDebug, formatWaterfall } from '../shared/probing/format.js';
import { terminalSafe, terminalSafeJson } from '../shared/observability/terminal-text.js';
import { checkCommand, type CheckFlags } from './check-command.js';
import { importCommand, ImportUsageError, type ImportFlags } from './import-command.js';
import { SourceSyntaxError } from '../shared/import/index.js';
import { ImportInputError } from '../shared/import/read-sources.js';
import { costCommand, type CostFlags } from './cost-command.js';
import { replayCommand } from './replay-command.js';
import { reportCommand, type ReportFlags } from './report-command.js';
import { statusPageCommand, type StatusPageFlags } from './status-page-command.js';
import { runCommand, type RunFlags } from './run-command.js';
import { testRulesCommand, type TestRulesFlags } from './test-rules-command.js';
import { DEFAULT_UI_PORT, uiCommand, type UiFlags } from './ui-command.js';
import { targetFromArgs, type ProbeFlags } from './target-from-args.js';
import { errorMessage } from '../shared/observability/error-message.js';
import { SpoolWriteError } from '../shared/storage/file-spool.js';
import { portNumber, wholeNumber } from './numeric-options.js';
import { DEFAULT_DATA_DIR } from './run-state.js';
import { readFileSync } from 'node:fs';
import { validateCommand, type ValidateFlags } from './validate-command.js';

const EXIT_BAD_INPUT = 2;
const DEFAULT_TIMEOUT_MS = 10_000;

class UsageError extends Error {}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

async function probeCommand(positional: string | undefined, flags: ProbeFlags & { json?: boolean; debug?: boolean }): Promise<number> {
  const { target, defaultTimeoutMs } = await targetFromArgs(positional, flags);
  const result = await runProbe(target, {
    timeoutMs: defaultTimeoutMs ?? DEFAULT_TIMEOUT_MS,
    debug: Boolean(flags.debug),
    secrets: createSecretResolver(),
  });
  // What a server said is in the result: printed with its control characters escaped.
  if (flags.json) {
    process.stdout.write(`${terminalSafeJson(result, 2)}\n`);
  } else {
    process.stdout.write(`${terminalSafe(formatWaterfall(result))}\n`);
    if (flags.debug) process.stdout.write(`${terminalSafe(formatDebug(result))}\n`);
  }
  return result.success ? 0 : 1;
}

/** The version of package.json: the one place it is written. */
function packageVersion(): string {
  return (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

function buildProgram(setExit: (code: number) => void): Command {
  const program = new Command('periscope')
    .description('Synthetic monitoring: blackbox_exporter-compatible probes, VictoriaMetrics storage, alerts')
    .version(packageVersion(), '-V, --version', 'print the version')
    .exitOverride()
    .showHelpAfterError('(run periscope --help for usage)')
    .configureOutput({ writeErr: (text) => process.stderr.write(text) });

  program
    .command('probe')
    .description('probe one target and print the result')
    .argument('[target]', 'http(s)://…, tcp://host:port, host:port --module tcp, postgres://user@host:port/db, dns://server[:port]/name[?type=A], grpc(s)://host:port[/service]')
    .addOption(new Option('-m, --module <module>', 'module for a bare host:port').choices(['http', 'tcp', 'postgres', 'dns', 'grpc']))
    .option('-c, --config <file>', 'targets file to take the target from')
    .option('-t, --target <name>', 'name of the target in --config')
    .option('--timeout <duration>', 'probe timeout, e.g. 5s (default 10s)')
    .option('-X, --method <method>', 'HTTP method')
    .option('-H, --header <header>', "request header 'Name: value' (repeatable; gRPC metadata for grpc)", collect, [])
    .option('--valid-status <codes>', 'accepted status codes, e.g. 200,301 (default 2xx)')
    .option('--expect-body <regex>', 'fail unless the body matches (repeatable)', collect, [])
    .option('-k, --insecure', 'do not verify TLS certificates')
    .option('--ca <file>', 'CA certificate (PEM) to verify the server with')
    .option('--no-follow-redirects', 'do not follow HTTP redirects')
    .option('--tls', 'tcp, grpc: connect with TLS; dns: DNS over TLS')
    .option('--query-type <type>', 'dns: query type, e.g. A, AAAA, MX, SOA (default ANY, as blackbox)')
    .option('--service <name>', 'grpc: service to ask the health service about (default: the whole server)')
    .option('--password-from <ref>', 'postgres: password reference (env:NAME, file:/path)')
    .option('--bearer-token-from <ref>', 'http: bearer token reference (env:NAME, file:/path)')
    .option('--query <sql>', 'postgres: query to run (default SELECT 1)')
    .option('--sslmode <mode>', 'postgres: disable, prefer, require, verify-ca, verify-full')
    .option('--json', 'print the result as one JSON object')
    .option('--debug', 'add request/response headers, a body excerpt and the step log')
    .action(async (positional: string | undefined, flags: ProbeFlags & { json?: boolean; debug?: boolean }) => {
      setExit(await probeCommand(positional, flags));
    });

  program
    .command('validate')
    .description('check targets files and rule files, and that the files they name exist; exits 2 at the first invalid one')
    .argument('<files...>', 'targets files and rule files')
    .option('--stage <name>', "check as this stage's targets file: what `sls package --stage NAME` would refuse (default: the stage serverless.yml names for the file, if any)")
    .action(async (files: string[], flags: ValidateFlags) => {
      setExit(await validateCommand(files, flags));
    });

  program
    .command('check')
    .description('evaluate every alerting rule once and print its state and value (sends nothing unless --notify)')
    .option('-c, --config <file>', 'targets file with rules: / rule_files:', 'targets/local.yml')
    .option('--vm-url <url>', 'VictoriaMetrics to query (default: $VM_URL, else the one of the periscope run in --data-dir)')
    .option('--json', 'print the evaluation as JSON')
    .option('--notify', 'write alert state and send notifications, as the anomaly check does')
    .option('--data-dir <dir>', 'where local state lives (slot claims shared with `periscope run`)', DEFAULT_DATA_DIR)
    .option('--replay <range>', 'evaluate over a past range FROM..TO (e.g. 2026-11-01..2026-12-01, now-7d..now) and list the alerts that would have fired; writes and sends nothing')
    .option('--step <duration>', 'with --replay: evaluation step (default each group\'s interval)')
    .action(async (flags: CheckFlags & { replay?: string; step?: string }) => {
      if (flags.replay !== undefined) {
        if (flags.notify) throw new UsageError('--replay never sends: leave out --notify');
        setExit(await replayCommand({ ...flags, replay: flags.replay }));
        return;
      }
      if (flags.step !== undefined) throw new UsageError('--step goes with --replay');
      setExit(await checkCommand(flags));
    });

  program
    .command('test')
    .description('unit tests')
    .command('rules')
    .description('run rule unit-test files (promtool test rules format) against a private VictoriaMetrics; exit 1 when a test fails')
    .argument('<files...>', 'test files')
    .option('-v, --verbose', 'print every test')
    .action(async (files: string[], flags: TestRulesFlags) => {
      setExit(await testRulesCommand(files, flags));
    });

  program
    .command('run')
    .description('probe every group of a targets file on its interval (the local run)')
    .option('-c, --config <file>', 'targets file', 'targets/local.yml')
    .option('--vm-url <url>', 'VictoriaMetrics to write to (default: $VM_URL, else start one)')
    .option('--vm-port <port>', 'port of the VictoriaMetrics the run starts', portNumber, 8428)
    .option('--once', 'run every group once, print the summary and exit')
    .option('--demo', 'start the local demo service the local targets probe')
    .option('--demo-http-port <port>', 'port of the demo service (targets/local.yml probes 18080)', portNumber, 18080)
    .option('--demo-https-port <port>', 'HTTPS port of the demo service (targets/local.yml probes 18443)', portNumber, 18443)
    .option('--data-dir <dir>', 'where local state lives', DEFAULT_DATA_DIR)
    .option('--concurrency <n>', 'probes in flight per group', wholeNumber(1, 10_000), 50)
    .option('--listen <address>', 'where the web UI listens (host:port)', `127.0.0.1:${DEFAULT_UI_PORT}`)
    .option('--allowed-hosts <names>', 'host names the web UI answers for besides IP addresses and localhost, comma-separated')
    .option('--no-ui', 'do not serve the web UI')
    .action(async (flags: RunFlags) => {
      setExit(await runCommand(flags));
    });

  program
    .command('import')
    .description('turn blackbox.yml + prometheus.yml (+ alertmanager.yml) into a targets file, with a report')
    .requiredOption('--blackbox <file>', "blackbox_exporter's config (modules)")
    .requiredOption('--prometheus <file>', 'prometheus.yml whose /probe scrape jobs become groups')
    .option('--alertmanager <file>', 'alertmanager.yml: repeat interval, email and Slack receivers')
    .option('--stage <name>', 'stage the file is for: secrets become ssm:/periscope/<stage>/… references')
    .option('-o, --output <file>', 'where to write the targets file (default targets/<stage>.yml, else stdout)')
    .option('--strict', 'exit 1 and write nothing when anything was left out')
    .option('--force', 'replace the output file if it exists')
    .action(async (flags: ImportFlags) => {
      setExit(await importCommand(flags));
    });

  program
    .command('ui')
    .description('serve the web UI (read-only) over the data in a VictoriaMetrics')
    .option('--vm-url <url>', 'VictoriaMetrics to read (default: $VM_URL, else the one of the periscope run in --data-dir)')
    .option('-c, --config <file>', 'targets file: probe intervals (coverage), public flags, slo, rule annotations')
    .option('--listen <address>', 'host:port to listen on', `127.0.0.1:${DEFAULT_UI_PORT}`)
    .option('--allowed-hosts <names>', 'host names it answers for besides IP addresses and localhost, comma-separated')
    .option('--data-dir <dir>', 'data dir of the periscope run whose VictoriaMetrics to read', DEFAULT_DATA_DIR)
    .action(async (flags: UiFlags) => {
      setExit(await uiCommand(flags));
    });

  program
    .command('report')
    .description('monthly uptime report: uptime %, downtime incidents and error budget per target')
    .option('--month <month>', 'YYYY-MM (UTC), last (the last complete month, the default) or current (the month so far)')
    .addOption(new Option('--format <format>', 'output format').choices(['md', 'html', 'csv', 'json']).default('md'))
    .option('-c, --config <file>', 'targets file (probe intervals and slo)', 'targets/local.yml')
    .option('--vm-url <url>', 'VictoriaMetrics to read (default: $VM_URL, else the one of the periscope run in --data-dir)')
    .option('--data-dir <dir>', 'data dir of the periscope run whose VictoriaMetrics to read', DEFAULT_DATA_DIR)
    .option('--stage <stage>', 'only this stage')
    .option('--group <group>', 'only this group')
    .action(async (flags: ReportFlags) => {
      setExit(await reportCommand(flags));
    });

  program
    .command('status-page')
    .description("render the stage's public status page into a folder, exactly as the status-page function publishes it")
    .requiredOption('-c, --config <file>', 'targets file of the stage (public targets, status_page section)')
    .requiredOption('-o, --out <dir>', 'folder to write index.html and status.json to')
    .option('--vm-url <url>', 'VictoriaMetrics to read (default: $VM_URL)')
    .action(async (flags: StatusPageFlags) => setExit(await statusPageCommand(flags)));

  program
    .command('cost')
    .description("estimate the month's AWS cost of a targets file deployed as a stage (the formulas of docs/cost.md)")
    .requiredOption('-c, --config <file>', 'targets file, e.g. targets/prod.yml')
    .option('--stage <name>', "price with this stage's params in serverless.yml (default: the stage whose targetsFile is --config, else params.default)")
    .option('--memory <mb>', "probe Lambda memory in MB (default: the stage's probeMemoryMb)", wholeNumber(128, 10_240))
    .option('--concurrency <n>', "probes in flight per run (default: the stage's probeConcurrency)", wholeNumber(1, 10_000))
    .option('--latency <duration>', 'how long your targets take to answer, e.g. 300ms (default 200ms)')
    .option('--region <region>', "price table: us-east-1 or eu-central-1 (default: the stage's region)")
    .option('--existing-topic', 'the stage publishes to an existing topic (no KMS key of its own; default: createAlertsTopic: false)')
    .option('--shared-key', "the stage's own topic uses an existing KMS key (default: alertsTopicKeyArn set)")
    .option('--profile <file>', 'CPU per probe from this bench results file (default bench/results.json)')
    .option('--json', 'print the estimate as JSON')
    .action(async (flags: CostFlags) => {
      setExit(await costCommand(flags));
    });

  return program;
}

export async function main(argv: string[]): Promise<number> {
  let exitCode = 0;
  const program = buildProgram((code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version are "errors" to commander, with exit code 0.
      return err.exitCode === 0 ? 0 : EXIT_BAD_INPUT;
    }
    if (
      err instanceof ConfigError ||
      err instanceof SecretError ||
      err instanceof UsageError ||
      err instanceof ImportUsageError ||
      err instanceof ImportInputError ||
      err instanceof SourceSyntaxError
    ) {
      process.stderr.write(`periscope: ${err.message}\n`);
      return EXIT_BAD_INPUT;
    }
    // Not bad input, not a bug: the machine failed (a full disk under the spool). Said as it is.
    if (err instanceof SpoolWriteError) {
      process.stderr.write(`periscope: ${err.message}\n`);
      return 1;
    }
    process.stderr.write(`periscope: internal error: ${errorMessage(err)}\n`);
    return 3;
  }
}

process.exitCode = await main(process.argv.slice(2));
