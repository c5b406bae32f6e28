// The HTTP prober, with blackbox_exporter's http prober semantics (http.go): metric names and meanings,
// the order of checks (status code, headers, body), redirect counting and phase timings summed over hops.
// Deliberate differences: certificate metrics are written also when verification fails; a redirect chain
// that hits the limit fails even when 3xx is a valid status; credentials are not sent to other hosts on
// redirect; json_body assertions; the body is kept only when a check needs it.
import type { HttpModule } from '../../config/index.js';
import { monotonicSeconds } from '../clock.js';
import { ProbeBudget, runWithinBudget } from '../deadline.js';
import { classifyError } from '../failure.js';
import { buildResult } from '../samples.js';
import type { FailureReason, ProbeOptions, ProbeResult } from '../types.js';
import { BodyReader, DEFAULT_KEPT_BODY_LIMIT } from './body.js';
import { bodyRegexFailure, contentLength, headerFailure, parseHttpDate, statusFailure, type ResponseHeaders } from './checks.js';
import { DebugRecorder, describeHop, scrubSecrets } from './debug.js';
import type { ResponseHead } from './exchange.js';
import { Hop } from './hop.js';
import { hasJsonAssertions, jsonBodyFailure } from './json-body.js';
import { type FinalResponse, httpPhases, httpSamples, unfinishedHttpPhase } from './metrics.js';
import { HopTargets } from './targets.js';
import {
  firstRequest,
  httpInstance,
  parseLocation,
  planRequest,
  REDIRECT_STATUSES,
  RedirectCookies,
  redirectRefusal,
  redirectRequest,
  type RequestPlan,
} from './request.js';

/** blackbox's CheckRedirect: `if redirects > 10 { stop }`, so ten are followed and the eleventh is not. */
const MAX_REDIRECTS = 10;
const EXCERPT_BYTES = 1024;

function firstHeader(headers: ResponseHeaders, name: string): string | undefined {
  const value = headers[name];
  return typeof value === 'string' ? value : value?.[0];
}

/** One probe's state: what it has learnt so far is reported even when a later step fails. */
class HttpProbeRun {
  readonly hops: Hop[] = [];
  redirects = 0;
  failedDueToRegex = 0;
  failure: { reason: FailureReason; message: string } | undefined;
  final: FinalResponse | undefined;
  debug: DebugRecorder | undefined;
  private targets: HopTargets | undefined;
  private failedAt: number | undefined;
  private plan: RequestPlan | undefined;
  private cookies: RedirectCookies | undefined;
  private readonly hasBodyRegex: boolean;

  constructor(
    private readonly module: HttpModule,
    private readonly options: ProbeOptions,
    private readonly budget: ProbeBudget,
    private readonly started: number,
    private readonly step: StepHooks = NO_STEP,
  ) {
    this.hasBodyRegex = module.fail_if_body_matches_regexp.length > 0 || module.fail_if_body_not_matches_regexp.length > 0;
  }

  /** Every value to keep from other hosts and out of messages: the module's credentials and the step's secrets. */
  private secretValues(): string[] {
    return [...(this.plan?.secretValues ?? []), ...this.step.secretValues];
  }

  private get current(): Hop | undefined {
    return this.hops[this.hops.length - 1];
  }

  setFailure(reason: FailureReason, message: string): void {
    if (this.failure) return;
    this.failure = { reason, message };
    this.debug?.line(`failure: ${reason}: ${message}`);
  }

  /** Records why the probe stopped: the budget, a ProbeFailure, or a socket/HTTP error classified. */
  fail(err: unknown): void {
    this.failedAt ??= monotonicSeconds();
    const connected = this.current?.connection.connected ?? false;
    if (this.budget.aborted) {
      const failure = this.budget.failure(connected);
      this.setFailure(failure.reason, failure.message);
    } else {
      const { reason, message } = classifyError(err, connected ? 'exchange' : 'connect');
      this.setFailure(reason, message);
    }
  }

  /** The budget ran out: close whatever is open so the probe returns now. */
  abort(reason: unknown): void {
    this.current?.close(reason instanceof Error ? reason : undefined);
  }

  close(): void {
    this.current?.close();
  }

  async execute(): Promise<void> {
    const module = this.module;
    this.budget.throwIfAborted(false);
    const url = new URL(module.url);
    const plan = await planRequest(module, url, this.options.secrets);
    this.plan = plan;
    const targets = new HopTargets(module, url, plan.hostOverride, this.options.secrets, this.budget, (hostname, resolved) =>
      this.debug?.line(`resolved ${hostname} → ${resolved.address} (IPv${resolved.family}, ${(resolved.seconds * 1000).toFixed(1)} ms)`),
    );
    this.targets = targets;
    if (this.options.debug) this.debug = new DebugRecorder(this.started, [...plan.secretValues, ...this.step.secretValues]);
    let request = firstRequest(plan, url);
    this.debug?.request(request.method, httpInstance(url.href), request.headers);
    for (;;) {
      this.budget.throwIfAborted(false);
      const target = await targets.target(request.url);
      const hop = new Hop(request, target);
      this.hops.push(hop);
      let next: URL | undefined;
      try {
        await hop.run((head) => {
          const decision = this.onHead(hop, head);
          next = decision.next;
          return decision.reader;
        });
      } finally {
        this.debug?.line(describeHop(hop));
      }
      if (!next) break;
      const cookies = this.cookies?.header(next);
      request = redirectRequest(plan, request, hop.head?.status ?? 0, next, url, cookies, this.secretValues());
    }
    this.checkFinal();
  }

  /** The status line and headers are in: follow a redirect, or check them and say how to read the body. */
  private onHead(hop: Hop, head: ResponseHead): { next?: URL; reader?: BodyReader } {
    const url = hop.request.url;
    this.debug?.response(httpInstance(url.href), head.status, head.headers);
    this.debug?.line(`${hop.request.method} ${httpInstance(url.href)} → ${head.status} (${head.version})`);
    const location = REDIRECT_STATUSES.has(head.status) ? firstHeader(head.headers, 'location') : undefined;
    let unfollowed = false;
    if (location) {
      const next = parseLocation(location, url);
      if (!next) {
        // Go's client gives up before CheckRedirect here, so this is not counted as a redirect.
        this.setFailure('status_code', `cannot follow redirect to ${JSON.stringify(location)}`);
      } else {
        // blackbox counts every redirect its CheckRedirect sees, including the one it refuses to follow.
        this.redirects += 1;
        const refusal = this.module.follow_redirects ? redirectRefusal(hop.request, head.status, next, this.hops[0]?.request.url ?? url, this.secretValues()) : undefined;
        if (refusal) this.setFailure('status_code', refusal);
        else if (this.module.follow_redirects && this.redirects <= MAX_REDIRECTS) {
          if (head.headers['set-cookie'] !== undefined) (this.cookies ??= new RedirectCookies()).store(head.headers['set-cookie'], url);
          this.debug?.line(`redirect ${this.redirects} → ${httpInstance(next.href)}`);
          return { next };
        } else if (this.module.follow_redirects) {
          this.setFailure('status_code', `stopped after ${MAX_REDIRECTS} redirects (status ${head.status}, next ${httpInstance(next.href)})`);
        }
      }
      unfollowed = true;
    }
    return { reader: this.checkHead(hop, head, unfollowed) };
  }

  /** Status code, then headers (blackbox order); returns the body reader, or none for an unfollowed redirect. */
  private checkHead(hop: Hop, head: ResponseHead, unfollowed: boolean): BodyReader | undefined {
    const module = this.module;
    const status = statusFailure(head.status, module.valid_status_codes);
    if (status) this.setFailure('status_code', status);
    else if (module.fail_if_header_matches.length > 0 || module.fail_if_header_not_matches.length > 0) {
      const header = headerFailure(head.headers, module);
      if (header) {
        this.failedDueToRegex = 1;
        this.setFailure('header_regex', header);
      }
    }
    const checkBody = this.failure === undefined && (this.hasBodyRegex || hasJsonAssertions(module.json_body));
    const final: FinalResponse = {
      hop,
      head: { ...head, headers: this.debug || this.step.capture ? head.headers : {} },
      contentLength: contentLength(head.status, hop.request.method, head.headers),
      lastModified: parseHttpDate(firstHeader(head.headers, 'last-modified')),
      checkBody,
      reader: undefined,
    };
    this.final = final;
    // blackbox does not read the body of a redirect it did not follow; we do only when a check needs it.
    if (unfollowed && !checkBody && !this.step.capture) return undefined;
    const keepAll = checkBody || this.step.capture;
    // Bytes that are kept are bounded even without body_size_limit; bytes only counted are not (as blackbox).
    const defaultLimit = !module.body_size_limit && keepAll;
    final.reader = new BodyReader({
      compression: module.compression,
      limit: module.body_size_limit ? module.body_size_limit : defaultLimit ? DEFAULT_KEPT_BODY_LIMIT : undefined,
      defaultLimit,
      keep: keepAll ? Number.POSITIVE_INFINITY : this.debug ? EXCERPT_BYTES : 0,
    });
    return final.reader;
  }

  /** After the body: body regexes, json_body, HTTP version, then TLS (blackbox order). */
  private checkFinal(): void {
    const final = this.final;
    if (!final) return;
    const module = this.module;
    if (final.reader) this.debug?.line(`body: ${final.reader.length} bytes`);
    if (this.failure === undefined && final.checkBody && final.reader) {
      const text = final.reader.text();
      const regex = this.hasBodyRegex ? bodyRegexFailure(text, module) : undefined;
      if (regex) {
        this.failedDueToRegex = 1;
        this.setFailure('body_regex', regex);
      } else if (hasJsonAssertions(module.json_body)) {
        const json = jsonBodyFailure(text, module.json_body);
        if (json) this.setFailure('json_body', json);
      }
    }
    const versions = module.valid_http_versions;
    if (versions && versions.length > 0 && !(versions as readonly string[]).includes(final.head.version)) {
      this.setFailure('http_version', `HTTP version ${final.head.version} is not one of ${versions.join(', ')}`);
    }
    if (final.head.tls && module.fail_if_ssl) this.setFailure('ssl_forbidden', 'final response came over TLS and fail_if_ssl is set');
    if (!final.head.tls && module.fail_if_not_ssl) this.setFailure('ssl_required', 'final response did not come over TLS and fail_if_not_ssl is set');
  }

  result(targetName: string, timestampMs: number, durationSeconds: number, now: number): ProbeResult {
    const final = this.final;
    const current = this.current;
    const tls = current?.connection.tls;
    const message = this.failure ? scrubSecrets(this.failure.message, this.secretValues()) : undefined;
    const excerpt = this.debug && final?.reader ? final.reader.text(EXCERPT_BYTES) : undefined;
    return buildResult({
      target: targetName,
      module: 'http',
      instance: httpInstance(this.module.url),
      timestampMs,
      durationSeconds,
      timeoutMs: this.options.timeoutMs,
      ...(this.targets?.firstResolved ? { resolved: this.targets.firstResolved } : {}),
      ...(this.failure && message !== undefined ? { failure: { reason: this.failure.reason, message } } : {}),
      phases: httpPhases(
        this.hops.map((hop) => hop.trace),
        this.failedAt ?? now,
      ),
      ...(this.failure ? { unfinishedPhase: unfinishedHttpPhase(this.hops[this.hops.length - 1]?.trace) } : {}),
      phaseMetric: 'probe_http_duration_seconds',
      samples: httpSamples(final, this.redirects, this.failedDueToRegex, tls),
      extra: {
        http: {
          status_code: final?.head.status ?? 0,
          ...(final ? { version: final.head.version } : {}),
          redirects: this.redirects,
          final_url: httpInstance((current?.request.url ?? new URL(this.module.url)).href),
          content_length: final?.contentLength ?? 0,
          body_length: final?.reader?.length ?? 0,
          ssl: final?.head.tls ?? false,
        },
        ...(tls ? { tls } : {}),
      },
      ...(this.debug ? { debug: this.debug.result(excerpt) } : {}),
    });
  }

  /** The final response, for a multi-step check's extraction (only kept when the step asked for it). */
  captured(): CapturedResponse | undefined {
    const final = this.final;
    if (!this.step.capture || !final) return undefined;
    return { status: final.head.status, headers: final.head.headers, body: final.reader?.text() ?? '' };
  }
}

/** What a step of a multi-step check adds to an HTTP probe: values to scrub, and keeping the response. */
export interface StepHooks {
  secretValues: readonly string[];
  capture: boolean;
}
const NO_STEP: StepHooks = { secretValues: [], capture: false };

export interface CapturedResponse {
  status: number;
  headers: ResponseHeaders;
  body: string;
}

/** Probes one HTTP target. Never rejects for a probe failure: the result says what went wrong. */
export async function probeHttp(targetName: string, module: HttpModule, options: ProbeOptions): Promise<ProbeResult> {
  return (await probeHttpStep(targetName, module, options, NO_STEP)).result;
}

/** probeHttp for one step of a multi-step check: also returns the final response when `step.capture`. */
export async function probeHttpStep(
  targetName: string,
  module: HttpModule,
  options: ProbeOptions,
  step: StepHooks,
): Promise<{ result: ProbeResult; response?: CapturedResponse }> {
  const timestampMs = Date.now();
  const started = monotonicSeconds();
  const budget = new ProbeBudget(options.timeoutMs, options.signal);
  const run = new HttpProbeRun(module, options, budget, started, step);
  await runWithinBudget(budget, run);
  const now = monotonicSeconds();
  const response = run.captured();
  return { result: run.result(targetName, timestampMs, now - started, now), ...(response ? { response } : {}) };
}
