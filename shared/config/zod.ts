// Zod setup shared by every schema module. The project uses zod's tree-shakable "mini" API (classic zod
// adds ~430 KiB to every Lambda bundle); schema modules `import * as z from 'zod/mini'` themselves,
// because re-exporting that namespace as a value would make the bundler keep all of it.
//
// Mini registers no locale, unlike classic, so without the English one every built-in issue would read
// just "Invalid input". Importing this module (schema modules do, through transformIssue) registers it.
import { en } from 'zod/locales';
import * as z from 'zod/mini';

z.config(en());

/**
 * What classic zod's `ctx.addIssue` did inside a transform (mini's transform context has none): a custom
 * issue without `continue`, so later checks on the value are skipped as before.
 */
export function transformIssue(ctx: z.core.ParsePayload, message: string): never {
  ctx.issues.push({ code: 'custom', message, input: ctx.value });
  return z.NEVER;
}
