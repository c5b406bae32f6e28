// Runs once before any test file: fails the whole run at once, with the install command, when a server
// binary the tests need is missing, and starts the VictoriaMetrics that test files share
// (`inject('vmUrl')`). Fault tests that stop or restart VictoriaMetrics start their own instead.
import type { TestProject } from 'vitest/node';
import { findRequiredBinaries } from './binaries.js';
import { startVictoriaMetrics } from './victoria-metrics.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Base URL of the run's shared VictoriaMetrics, e.g. http://127.0.0.1:41234. */
    vmUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  try {
    findRequiredBinaries();
  } catch (error) {
    // Only the install commands matter here; vitest would otherwise print a code frame of binaries.ts.
    const message = error instanceof Error ? error.message : String(error);
    const missing = new Error(`Missing server binaries the tests need:\n${message}`);
    missing.stack = missing.message;
    throw missing;
  }
  const vm = await startVictoriaMetrics();
  project.provide('vmUrl', vm.url);
  return async () => {
    await vm.cleanup();
  };
}
