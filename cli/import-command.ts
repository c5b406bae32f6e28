// `periscope import`: blackbox.yml + prometheus.yml (+ alertmanager.yml) → a targets file and a report of
// what was mapped, approximated and left out. Exit 0; 1 with --strict when anything was left out (then
// nothing is written); 2 for bad input.
import { access, mkdir, writeFile } from 'node:fs/promises';
import { dirname, relative, resolve } from 'node:path';
import { parseTargetsFile } from '../shared/config/index.js';
import { fileReferences } from '../shared/config/file-paths.js';
import { missingFile } from '../deploy/stage-files.js';
import { stringify } from 'yaml';
import { formatReport, importSetup, type ImportSources } from '../shared/import/index.js';
import { readImportSources, rulePathFrom } from '../shared/import/read-sources.js';
import { conflictingCopies, copyRuleFiles, planRuleFiles } from './import-stage-files.js';
import { plural } from './plural.js';

export interface ImportFlags {
  blackbox: string;
  prometheus: string;
  alertmanager?: string;
  stage?: string;
  output?: string;
  strict?: boolean;
  force?: boolean;
}

export class ImportUsageError extends Error {}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/** prometheus.yml's rule_files entries, as written. */
function ruleFileEntries(sources: ImportSources): string[] {
  const data = sources.prometheus.data as { rule_files?: unknown } | null;
  return Array.isArray(data?.rule_files) ? data.rule_files.map(String) : [];
}

/** Params a stage cannot deploy without that the sources did not give (the VPC is the account's own). */
function missingStageParams(params: Record<string, unknown>): string[] {
  return [
    'subnetIds and securityGroupIds (the VPC the probes run in)',
    ...(params.vmWriteUrl === undefined ? ['vmWriteUrl (the VictoriaMetrics the samples go to) and its credentials'] : []),
  ];
}

/**
 * CA, certificate and key files the imported modules name that are not on this machine (blackbox's own host had
 * them), or for a stage not under targets/ (the Lambdas' packages hold targets/ only): one line per file.
 */
async function filesToProvide(yaml: string, output: string, forStage: boolean): Promise<string[]> {
  const packaged = resolve(dirname(output));
  const byFile = new Map<string, { fields: Set<string>; count: number; problem: string }>();
  for (const ref of fileReferences(parseTargetsFile(yaml, output), dirname(output))) {
    const missing = await missingFile(ref.path);
    const outside = forStage && relative(packaged, resolve(ref.path)).startsWith('..');
    if (!missing && !outside) continue;
    const entry = byFile.get(ref.written) ?? { fields: new Set<string>(), count: 0, problem: missing ? `${missing} here` : `outside ${dirname(output)}/` };
    // tls_config.ca_file, basic_auth.password_file, bearer_token_from: the field without the target's path.
    entry.fields.add(/(?:(?:tls_config|basic_auth)\.)?[a-z_]+$/.exec(ref.field)?.[0] ?? ref.field);
    entry.count += 1;
    byFile.set(ref.written, entry);
  }
  const where = forStage ? `under ${dirname(output)}/ (what the Lambdas' packages hold)` : 'beside the targets file';
  return [...byFile].map(([file, e]) => `${file} (${[...e.fields].join(', ')} of ${plural(e.count, 'target')}): ${e.problem}; copy it ${where} and change the path`);
}

export async function importCommand(flags: ImportFlags): Promise<number> {
  if (flags.stage !== undefined && !/^[a-z0-9][a-z0-9-]*$/.test(flags.stage)) {
    throw new ImportUsageError(`--stage "${flags.stage}": a stage name is lower-case letters, digits and dashes`);
  }
  const output = flags.output ?? (flags.stage ? `targets/${flags.stage}.yml` : undefined);
  const sources = await readImportSources(flags);
  // For a stage, rule files outside the output's directory are copied under it: the Lambdas hold targets/ only.
  const plan = flags.stage && output ? await planRuleFiles(ruleFileEntries(sources), flags.prometheus, output, flags.stage) : undefined;
  const result = await importSetup(sources, {
    ...(flags.stage ? { stage: flags.stage } : {}),
    rulePath: plan?.rulePath ?? rulePathFrom(flags.prometheus, output ?? 'targets.yml'),
    outputName: output ?? 'imported targets',
  });
  // With the targets file on stdout, the report goes to stderr so the two can be separated.
  const say = (text: string) => (output ? process.stdout : process.stderr).write(text);
  say(`${formatReport(result.report)}\n`);
  if (plan && plan.copies.length > 0) {
    say(`Rule files copied under ${dirname(output ?? '.')}/ (the Lambdas' packages hold targets/ only): ${plan.copies.length}\n`);
    for (const copy of plan.copies) say(`  ${relative(process.cwd(), copy.from)} → ${copy.to}\n`);
  }
  if (Object.keys(result.params).length > 0 || flags.stage) {
    const stage = flags.stage ?? '<stage>';
    const printed = Object.keys(result.params).length > 0 ? `\n${stringify(result.params).replace(/^/gm, '  ').trimEnd()}` : '';
    say(`Stage params for serverless.yml (under params.${stage}):${printed}\n`);
    if (flags.stage) say(`  …and, by hand: ${missingStageParams(result.params).join('; ')}\n`);
  }
  const leftOut = result.report.count('left_out') + result.report.count('refused');
  if (flags.strict && leftOut > 0) {
    say(`--strict: ${leftOut} item(s) left out; nothing written\n`);
    return 1;
  }
  if (!output) {
    process.stdout.write(result.yaml);
    return 0;
  }
  if (!flags.force && (await exists(output))) throw new ImportUsageError(`${output} exists; use --force to replace it or -o to write elsewhere`);
  const conflicts = flags.force ? [] : await conflictingCopies(plan?.copies ?? []);
  if (conflicts.length > 0) throw new ImportUsageError(`${conflicts.map((c) => c.to).join(', ')} exists with other content; use --force to replace it`);
  await mkdir(dirname(output), { recursive: true });
  await copyRuleFiles(plan?.copies ?? []);
  await writeFile(output, result.yaml);
  const todo = await filesToProvide(result.yaml, output, flags.stage !== undefined);
  if (todo.length > 0) {
    say(`Files the targets file names that it cannot use yet (paths are relative to the targets file): ${todo.length}\n${todo.map((line) => `  ${line}\n`).join('')}`);
  }
  const check = flags.stage ? `periscope validate --stage ${flags.stage} ${output}` : `periscope validate ${output}`;
  say(`wrote ${output}: ${plural(result.groups, 'group')}, ${plural(result.targets, 'target')}; check it with: ${check}\n`);
  return 0;
}
