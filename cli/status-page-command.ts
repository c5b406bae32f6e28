// `periscope status-page --config targets/prod.yml --out DIR`: renders the stage's public status page into
// DIR exactly as the status-page function publishes it — the same collect and render code
// (publishStatusPage), with files written where the function would put S3 objects. The page's title, logo,
// description and notes come from the targets file's status_page section and the notes file beside it,
// overridden by STATUS_PAGE_TITLE, STATUS_PAGE_DESCRIPTION, STATUS_PAGE_LOGO and STATUS_PAGE_NOTES as the
// function's environment would be (serverless.yml params statusPageTitle, …).
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { ConfigError, createSecretResolver, loadTargetsFile } from '../shared/config/index.js';
import { catalogFromFile, createVmReader } from '../shared/reporting/index.js';
import { loadStatusPageContent } from '../shared/status-page/content.js';
import { publishStatusPage } from '../shared/status-page/index.js';
import { redactUrl, vmAuthFromEnv } from '../shared/victoria-metrics/index.js';

export interface StatusPageFlags {
  config: string;
  out: string;
  vmUrl?: string;
}

export async function statusPageCommand(flags: StatusPageFlags, write: (text: string) => void = (t) => process.stdout.write(t), nowMs = Date.now()): Promise<number> {
  const targetsPath = resolve(flags.config);
  const file = await loadTargetsFile(flags.config);
  const content = await loadStatusPageContent({ targetsPath, file, env: process.env });
  const vmUrl = flags.vmUrl ?? process.env.VM_URL;
  if (!vmUrl) throw new ConfigError('command line', [{ path: '--vm-url', message: 'give the VictoriaMetrics to read (--vm-url URL or VM_URL)' }]);
  const auth = await vmAuthFromEnv(process.env, createSecretResolver(), 'VM_QUERY');
  const reader = createVmReader({ url: vmUrl, ...(auth ? { auth } : {}) });
  const out = resolve(flags.out);
  await mkdir(out, { recursive: true });
  const written: string[] = [];
  const result = await publishStatusPage(
    reader,
    catalogFromFile(file),
    async (key, body) => {
      const path = join(out, key);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, body);
      written.push(path);
    },
    nowMs,
    { content },
  );
  write(
    `${written.join('\n')}\n${result.services} public service${result.services === 1 ? '' : 's'}, ${result.failing} failing, ${result.incidents} incident${result.incidents === 1 ? '' : 's'} in 7 days (data from ${redactUrl(vmUrl)})\n`,
  );
  if (result.services === 0) write(`note: ${flags.config} marks no target public (public: true on a target or its group), so the page lists none\n`);
  return 0;
}
