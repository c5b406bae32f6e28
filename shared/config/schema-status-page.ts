// The `status_page:` section of a targets file: what the stage's public status page says about itself.
// Checked here with the rest of the file (`periscope validate`); shared/status-page/content.ts reads the
// files it names (logo, notes) and checks its names against the file's public targets.
import * as z from 'zod/mini';
import './zod.js';

const nonEmpty = z.string().check(z.trim(), z.minLength(1, 'must not be empty'));
const names = z.record(z.string(), nonEmpty);

export const statusPageSectionSchema = z.strictObject({
  /** Page title (default "Service status"). */
  title: z.optional(nonEmpty),
  description: z.optional(nonEmpty),
  /** An https:// URL, or an image file beside the targets file (inlined into the page). */
  logo: z.optional(nonEmpty),
  /** The notes file (default status-notes/<targets file name>.yml beside the targets file). */
  notes: z.optional(nonEmpty),
  /** Names customers read instead of group names and target names. */
  group_titles: z.optional(names),
  service_titles: z.optional(names),
});

export type StatusPageSection = z.output<typeof statusPageSectionSchema>;
