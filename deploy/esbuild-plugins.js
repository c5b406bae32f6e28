// esbuild plugins of the Lambda bundles (serverless.yml: custom.esbuild.plugins; bench/run.ts builds with them
// too, so its cold-start figures are those of the deployed bundles).
//
// Libraries that only some targets need are built into files of their own beside the handler, instead of
// into it: a cold start reads, compiles and initialises only the handler, and the first target that needs a
// library loads its file (the code imports them with import(), as it did). pg (PostgreSQL probes), dns-packet
// (DNS probes), @bufbuild/protobuf's wire codec (gRPC probes) and re2js (targets and rules with regexes).
// Pre-built and minified rather than shipped as node_modules: one small file to load, and no list of each
// library's files (and its dependencies' files) to keep up to date in package patterns.
import { build } from 'esbuild';
import { basename, dirname, extname, join } from 'node:path';

/**
 * Import path → its file in the .lazy directory next to the handler, and how it exports: a CommonJS package's
 * module.exports is the default export of the file (`import('pg')` then `.default`, as with the package itself),
 * an ES module's exports are named exports of the file (esbuild marks them so that Node's import() finds them).
 */
export const LAZY_PACKAGES = {
  pg: { file: 'pg', commonjs: true },
  'dns-packet': { file: 'dns-packet', commonjs: true },
  '@bufbuild/protobuf/wire': { file: 'protobuf-wire', commonjs: false },
  re2js: { file: 're2js', commonjs: false },
};

const FILTER = new RegExp(`^(${Object.keys(LAZY_PACKAGES).map((name) => name.replace(/[/.]/g, '\\$&')).join('|')})$`);

/**
 * The directory of a handler's lazily loaded libraries: functions/probe.cjs → functions/probe.lazy/. The
 * name starts with the handler's own, so serverless-esbuild leaves it out of the other functions' zips (it
 * drops `<other handler>.*` from each function's package), and every function gets the libraries its own
 * code imports, and no others.
 */
export function lazyDirName(entryPoint) {
  return `${basename(entryPoint, extname(entryPoint))}.lazy`;
}

/** Builds LAZY_PACKAGES imported by the bundle into its .lazy directory and points the imports there. */
export function lazyPackages() {
  return {
    name: 'periscope-lazy-packages',
    setup(esbuild) {
      const options = esbuild.initialOptions;
      const entry = Array.isArray(options.entryPoints) ? options.entryPoints[0] : undefined;
      if (typeof entry !== 'string') throw new Error('periscope-lazy-packages: one entry point (a path) per build');
      const dir = lazyDirName(entry);
      const outdir = options.outdir ?? dirname(options.outfile);
      const used = new Set();
      esbuild.onStart(() => used.clear());
      // Relative to the handler: Node resolves require('./probe.lazy/pg.cjs') from the bundle's own directory.
      esbuild.onResolve({ filter: FILTER }, (args) => {
        used.add(args.path);
        return { path: `./${dir}/${LAZY_PACKAGES[args.path].file}.cjs`, external: true };
      });
      esbuild.onEnd(async (result) => {
        if (result.errors.length > 0) return;
        for (const name of used) {
          const { file, commonjs } = LAZY_PACKAGES[name];
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

/** serverless-esbuild calls this with the Serverless instance. */
export default function plugins() {
  return [lazyPackages()];
}
