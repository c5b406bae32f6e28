// `periscope import`: blackbox.yml + prometheus.yml (+ alertmanager.yml) → a targets file and a report of
// what was mapped, approximated and left out. Exit 0; 1 with --strict when anything was left out (then
// nothing is written); 2 for bad input.
import { access, mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { stringify } from 'yaml';
import { formatReport, importSetup } from '../shared/import/index.js';
import { readImportSources, rulePathFrom } from '../shared/import/read-sources.js';

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

export async function importCommand(flags: ImportFlags): Promise<number> {
  if (flags.stage !== undefined && !/^[a-z0-9][a-z0-9-]*$/.test(flags.stage)) {
    throw new ImportUsageError(`--stage "${flags.stage}": a stage name is lower-case letters, digits and dashes`);
  }
  const output = flags.output ?? (flags.stage ? `targets/${flags.stage}.yml` : undefined);
  const sources = await readImportSources(flags);
  const result = await importSetup(sources, {
    ...(flags.stage ? { stage: flags.stage } : {}),
    rulePath: rulePathFrom(flags.prometheus, output ?? 'targets.yml'),
    outputName: output ?? 'imported targets',
  });
  // With the targets file on stdout, the report goes to stderr so the two can be separated.
  const say = (text: string) => (output ? process.stdout : process.stderr).write(text);
  say(`${formatReport(result.report)}\n`);
  if (Object.keys(result.params).length > 0) {
    say(`Stage params for serverless.yml (under params.${flags.stage ?? '<stage>'}):\n${stringify(result.params).replace(/^/gm, '  ').trimEnd()}\n`);
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
  await mkdir(dirname(output), { recursive: true });
  await writeFile(output, result.yaml);
  say(`wrote ${output}: ${result.groups} groups, ${result.targets} targets; check it with: periscope validate ${output}\n`);
  return 0;
}
