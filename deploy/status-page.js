// @ts-check
// The status page's bucket, checked at package time: a stage that enables the page must name its bucket,
// or the function's only permission (s3:PutObject on arn:aws:s3:::<bucket>/*) would be meaningless.
import { DeployConfigError } from './targets.js';

const BUCKET_RE = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/**
 * @param {import('./stage.js').VariableResolver} resolver
 * @returns {Promise<string>}
 */
export async function bucket({ resolveVariable }) {
  // osls resolves this for every stage (the optional function's definition is resolved even where it is
  // not selected): only a stage that enables the page needs a bucket.
  if (String(await resolveVariable('param:statusPage')) !== 'true') return '';
  const name = String((await resolveVariable('param:statusPageBucket')) ?? '');
  if (!BUCKET_RE.test(name)) {
    throw new DeployConfigError(
      name === ''
        ? 'params.statusPageBucket: statusPage is true but no bucket is named; set statusPageBucket to an existing S3 bucket'
        : `params.statusPageBucket: "${name}" is not an S3 bucket name (3-63 lower-case letters, digits, dots, dashes)`,
    );
  }
  return name;
}
