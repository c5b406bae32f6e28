import { defineConfig, type TestProjectInlineConfiguration } from 'vitest/config';

// Four tiers, one folder and one project each (`npm run test:<tier>`; `npm test` runs them all):
// - unit: pure logic and in-process fakes (loopback servers the test starts itself); no binary, no child process.
// - integration: real VictoriaMetrics, PostgreSQL, dnsmasq, packaged handlers, the CLI as a child process.
// - differential: the reference binaries as oracles (blackbox_exporter, promtool, prometheus, vmalert, Alertmanager).
// - browser: what a person sees, in headless Debian chromium.
const tier = (name: string, globalSetup: string[]): TestProjectInlineConfiguration => ({
  extends: true,
  test: { name, include: [`test/${name}/**/*.test.ts`], globalSetup },
});

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Real servers are started per file; two cores, so keep the parallelism modest.
    maxWorkers: 2,
    projects: [
      tier('unit', []),
      tier('integration', ['test/support/global-setup.ts']),
      tier('differential', ['test/support/global-setup.ts']),
      tier('browser', ['test/support/global-setup.ts']),
    ],
  },
});
