// esbuild plugins of the Lambda bundles (serverless.yml: custom.esbuild.plugins; bench/run.ts builds with them
// too, so its cold-start figures are those of the deployed bundles).
//
// lazyPackages: libraries that only some targets need are built into files of their own beside the handler,
// instead of into it: a cold start reads, compiles and initialises only the handler, and the first target that
// needs a library loads its file (the code imports them with import(), as it did). pg (PostgreSQL probes),
// dns-packet (DNS probes), @bufbuild/protobuf's wire codec (gRPC probes), re2js (targets and rules with
// regexes), yaml (the probe reads a snapshot of its targets file instead) and the PromQL grammar (only the anomaly
// check parses rule expressions, when its rules load). Pre-built and minified rather
// than shipped as node_modules: one small file to load, and no list of each library's files (and its
// dependencies' files) to keep up to date in package patterns.
//
// targetsSnapshots: the stage's targets file, validated at package time (deploy/targets.js, as for the
// schedules), written as JSON where a function's TARGETS_SNAPSHOT says (shared/config/targets-snapshot.ts).
import { build } from 'esbuild';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join, relative, resolve } from 'node:path';
import { serviceDir } from './stage.js';
import { loadStageTargets } from './targets.js';

/** @typedef {import('esbuild').Plugin} Plugin */
/** @typedef {import('esbuild').PluginBuild} PluginBuild */
/** @typedef {{ handler: string, environment?: Record<string, unknown> }} FunctionSettings */

/**
 * Import path → its file in the .lazy directory next to the handler, and how it exports: a CommonJS package's
 * module.exports is the default export of the file (`import('pg')` then `.default`, as with the package itself),
 * an ES module's exports are named exports of the file (esbuild marks them so that Node's import() finds them).
 */
/** @type {Record<string, { file: string, commonjs: boolean }>} */
export const LAZY_PACKAGES = {
  pg: { file: 'pg', commonjs: true },
  'dns-packet': { file: 'dns-packet', commonjs: true },
  '@bufbuild/protobuf/wire': { file: 'protobuf-wire', commonjs: false },
  re2js: { file: 're2js', commonjs: false },
  yaml: { file: 'yaml', commonjs: true },
  '@prometheus-io/lezer-promql': { file: 'lezer-promql', commonjs: false },
};

const FILTER = new RegExp(`^(${Object.keys(LAZY_PACKAGES).map((name) => name.replace(/[/.]/g, '\\$&')).join('|')})$`);

/**
 * The directory of a handler's lazily loaded libraries: functions/probe.cjs → functions/probe.lazy/. The
 * name starts with the handler's own, so serverless-esbuild leaves it out of the other functions' zips (it
 * drops `<other handler>.*` from each function's package), and every function gets the libraries its own
 * code imports, and no others.
 * @param {string} entryPoint
 */
export function lazyDirName(entryPoint) {
  return `${basename(entryPoint, extname(entryPoint))}.lazy`;
}

/** The one entry point of a build (serverless-esbuild builds each handler apart), and its output directory. */
function entryAndOutdir(/** @type {PluginBuild['initialOptions']} */ options) {
  const entry = Array.isArray(options.entryPoints) ? options.entryPoints[0] : undefined;
  if (typeof entry !== 'string') throw new Error('periscope esbuild plugins: one entry point (a path) per build');
  const outdir = options.outdir ?? (options.outfile ? dirname(options.outfile) : undefined);
  if (!outdir) throw new Error('periscope esbuild plugins: the build needs outdir or outfile');
  return { entry, outdir };
}

/**
 * Builds LAZY_PACKAGES imported by the bundle into its .lazy directory and points the imports there.
 * @returns {Plugin}
 */
export function lazyPackages() {
  return {
    name: 'periscope-lazy-packages',
    setup(esbuild) {
      const options = esbuild.initialOptions;
      const { entry, outdir } = entryAndOutdir(options);
      const dir = lazyDirName(entry);
      /** @type {Map<string, { file: string, commonjs: boolean }>} */
      const used = new Map();
      esbuild.onStart(() => used.clear());
      // Relative to the handler: Node resolves require('./probe.lazy/pg.cjs') from the bundle's own directory.
      esbuild.onResolve({ filter: FILTER }, (args) => {
        const lazy = LAZY_PACKAGES[args.path];
        if (!lazy) return undefined;
        used.set(args.path, lazy);
        return { path: `./${dir}/${lazy.file}.cjs`, external: true };
      });
      esbuild.onEnd(async (result) => {
        if (result.errors.length > 0) return;
        for (const [name, { file, commonjs }] of used) {
          const contents = commonjs ? `module.exports = require(${JSON.stringify(name)});` : `export * from ${JSON.stringify(name)};`;
          await build({
            stdin: { contents, resolveDir: options.absWorkingDir ?? process.cwd(), loader: 'js' },
            outfile: join(outdir, dir, `${file}.cjs`),
            bundle: true,
            minify: options.minify,
            keepNames: options.keepNames,
            sourcemap: options.sourcemap,
            sourcesContent: options.sourcesContent,
            platform: 'node',
            target: options.target,
            format: 'cjs',
            mainFields: options.mainFields,
            // pg's optional native binding is never used (and cannot be bundled).
            external: ['pg-native'],
            logLevel: 'error',
          });
        }
      });
    },
  };
}

/**
 * For each function with TARGETS_SNAPSHOT in its environment, the build of its handler writes the snapshot of
 * its TARGETS_FILE there (a path in the package, e.g. functions/probe.targets.json: named after the handler so
 * that only this function's zip has it).
 * @param {FunctionSettings[]} functions
 * @returns {Plugin}
 */
export function targetsSnapshots(functions) {
  return {
    name: 'periscope-targets-snapshots',
    setup(esbuild) {
      const options = esbuild.initialOptions;
      const { entry, outdir } = entryAndOutdir(options);
      const handlerFile = entry.slice(0, -extname(entry).length);
      /** @type {{ targetsFile: string, snapshot: string }[]} */
      const wanted = [];
      for (const fn of functions) {
        const { TARGETS_FILE: targetsFile, TARGETS_SNAPSHOT: snapshot } = fn.environment ?? {};
        if (fn.handler.slice(0, fn.handler.lastIndexOf('.')) !== handlerFile || typeof snapshot !== 'string') continue;
        if (typeof targetsFile !== 'string') throw new Error(`${fn.handler}: TARGETS_SNAPSHOT needs TARGETS_FILE`);
        wanted.push({ targetsFile, snapshot });
      }
      if (wanted.length === 0) return;
      esbuild.onEnd(async (result) => {
        if (result.errors.length > 0) return;
        // The project's TypeScript, through tsx as deploy/targets.js loads the schema.
        const { tsImport } = await import('tsx/esm/api');
        /** @type {typeof import('../shared/config/make-targets-snapshot.js')} */
        const { makeTargetsSnapshot } = await tsImport('../shared/config/make-targets-snapshot.ts', import.meta.url);
        // The package's root: the handler's output directory less the handler's own directory.
        const root = resolve(outdir, relative(dirname(entry), '.'));
        for (const { targetsFile: file, snapshot } of wanted) {
          // Validated already for the schedules (a clear DeployConfigError when invalid); cached.
          await loadStageTargets(serviceDir, file);
          const out = join(root, snapshot);
          await mkdir(dirname(out), { recursive: true });
          await writeFile(out, await makeTargetsSnapshot(await readFile(resolve(serviceDir, file), 'utf8'), file));
        }
      });
    },
  };
}

/**
 * serverless-esbuild calls this with the Serverless instance (its functions' settings are resolved by then).
 * @param {{ service?: { functions?: Record<string, Partial<FunctionSettings> | null> } }} [serverless]
 * @returns {Plugin[]}
 */
export default function plugins(serverless) {
  /** @type {FunctionSettings[]} */
  const functions = [];
  for (const fn of Object.values(serverless?.service?.functions ?? {})) if (typeof fn?.handler === 'string') functions.push({ handler: fn.handler, ...(fn.environment ? { environment: fn.environment } : {}) });
  return [lazyPackages(), targetsSnapshots(functions)];
}
