// The boundary that keeps the UI, the reports and uPlot out of the probe Lambda's bundle: esbuild (a child
// process of its own) bundles functions/probe.ts and the inputs it took are listed.
import { build } from 'esbuild';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

describe('bundle boundaries', () => {
  it('keeps the UI, the reports and uPlot out of the probe Lambda', async () => {
    const result = await build({
      entryPoints: [resolve(import.meta.dirname, '../../functions/probe.ts')],
      bundle: true,
      write: false,
      metafile: true,
      platform: 'node',
      format: 'esm',
      external: ['pg-native'],
      logLevel: 'silent',
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.some((p) => p.includes('functions/probe.ts'))).toBe(true);
    expect(inputs.filter((p) => /shared\/(ui|reporting|status-page)\/|node_modules\/uplot|client-s3/.test(p))).toEqual([]);
  });
});
