// Secrets in what `periscope check` prints: a --vm-url (and VM_UI_URL) with a user, a password and a token in
// its query string leaves none of them in the output or the vmui link. The in-process cases (redirects, --debug,
// redaction) are test/unit/secrets-exposure.test.ts.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';

describe('URLs with credentials', () => {
  it('periscope check --json prints no credential of --vm-url or VM_UI_URL', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'periscope-secrets-'));
    try {
      const config = join(dir, 'rules.yml');
      await writeFile(config, 'rules:\n  - name: links\n    interval: 1m\n    rules:\n      - alert: LinkDue\n        expr: vector(1)\n');
      const vm = new URL(inject('vmUrl'));
      vm.username = 'admin';
      vm.password = 'hunter2-secret';
      vm.search = '?authToken=t0ken-secret';
      const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
        // The vmui link is printed only where a vmui is named (VM_UI_URL): given with the same credentials.
        execFile(process.execPath, ['bin/periscope.js', 'check', '--config', config, '--vm-url', vm.href, '--json'], { timeout: 60_000, env: { ...process.env, SLACK_WEBHOOK_URL: '', VM_UI_URL: vm.href } }, (error, out, err) =>
          resolve({ code: error ? Number(error.code ?? 1) : 0, stdout: out, stderr: err }),
        ),
      );
      expect(code, stderr).toBe(0);
      expect(stdout).toContain('/vmui/#/?g0.expr=vector(1)');
      for (const text of [stdout, stderr]) {
        expect(text).not.toContain('hunter2');
        expect(text).not.toContain('t0ken');
        expect(text).not.toContain('admin');
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
