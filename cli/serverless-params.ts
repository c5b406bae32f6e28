// The stages of serverless.yml as the CLI needs them: each stage's params (its own over `default`, with
// ${sls:stage} filled in) and which stage a targets file belongs to. `periscope cost` prices a stage with its
// region, memory, concurrency and topic; `periscope validate` checks a stage's targets file for what packaging
// would refuse. Other variables (${ssm:…}, ${opt:…}) are left as written: they need the account or the command.
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { parseYaml } from '../shared/config/index.js';

export interface ServerlessStages {
  /** The directory of serverless.yml: params.targetsFile is relative to it. */
  serviceDir: string;
  file: string;
  /** Stage name → its params, `default` merged under it; `default` itself is not a stage. */
  stages: Map<string, Record<string, unknown>>;
  defaults: Record<string, unknown>;
}

const isRecord = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

/** ${sls:stage} in the params' strings (targetsFile: targets/${sls:stage}.yml). */
function withStage(value: unknown, stage: string): unknown {
  if (typeof value === 'string') return value.replaceAll('${sls:stage}', stage);
  if (Array.isArray(value)) return value.map((item) => withStage(item, stage));
  if (isRecord(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withStage(v, stage)]));
  return value;
}

/** The stage's params: its own over `default` (what osls' param: resolves to). */
export function paramsOf(config: Pick<ServerlessStages, 'stages' | 'defaults'>, stage: string): Record<string, unknown> {
  return config.stages.get(stage) ?? (withStage(config.defaults, stage) as Record<string, unknown>);
}

/** serverless.yml in `startDir` or the nearest directory above it; undefined when there is none. */
export async function readServerlessStages(startDir: string): Promise<ServerlessStages | undefined> {
  for (let dir = resolve(startDir); ; dir = dirname(dir)) {
    const file = join(dir, 'serverless.yml');
    const text = await readFile(file, 'utf8').catch(() => undefined);
    if (text !== undefined) {
      const parsed = parseYaml(text, file);
      const params = isRecord(parsed) && isRecord(parsed.params) ? parsed.params : {};
      const defaults = isRecord(params.default) ? params.default : {};
      const stages = new Map<string, Record<string, unknown>>();
      for (const [name, own] of Object.entries(params)) {
        if (name !== 'default' && isRecord(own)) stages.set(name, withStage({ ...defaults, ...own }, name) as Record<string, unknown>);
      }
      return { serviceDir: dir, file, stages, defaults };
    }
    if (dirname(dir) === dir) return undefined;
  }
}

/** The stage of serverless.yml whose targetsFile is `targetsFile`, when one is. */
export function stageOfTargetsFile(config: ServerlessStages, targetsFile: string): string | undefined {
  const wanted = resolve(targetsFile);
  for (const [stage, params] of config.stages) {
    if (typeof params.targetsFile === 'string' && resolve(config.serviceDir, params.targetsFile) === wanted) return stage;
  }
  return undefined;
}
