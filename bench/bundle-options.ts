// The esbuild options of the deployed bundles, read from serverless.yml's custom.esbuild (what
// serverless-esbuild passes to esbuild), so the cold-start benchmark measures the bundles a deploy ships.
import { readFile } from 'node:fs/promises';
import type { BuildOptions, Plugin } from 'esbuild';
import { parse } from 'yaml';

/** serverless-esbuild's own settings: not esbuild options. */
const PLUGIN_SETTINGS = new Set(['skipRebuild', 'exclude', 'outputFileExtension', 'plugins', 'packager', 'concurrency', 'zipConcurrency', 'keepOutputDirectory']);

export async function deployedBuildOptions(serverlessYml = 'serverless.yml'): Promise<BuildOptions> {
  const config = parse(await readFile(serverlessYml, 'utf8')) as { provider: { runtime: string }; custom: { esbuild: Record<string, unknown> } };
  const settings = config.custom.esbuild;
  const options: BuildOptions = { platform: 'node', target: config.provider.runtime.replace(/^nodejs(\d+)\.x$/, 'node$1') };
  for (const [key, value] of Object.entries(settings)) if (!PLUGIN_SETTINGS.has(key)) Object.assign(options, { [key]: value });
  options.external = [...((settings.exclude as string[] | undefined) ?? [])];
  if (typeof settings.outputFileExtension === 'string') options.outExtension = { '.js': settings.outputFileExtension };
  if (typeof settings.plugins === 'string') {
    const module = (await import(new URL(`../${settings.plugins}`, import.meta.url).href)) as { default: () => Plugin[] };
    options.plugins = module.default();
  }
  return options;
}
