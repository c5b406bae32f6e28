// The one key for anything keyed by a label set: alert state, anomaly history, baselines, restored series.
// Independent of key order (VictoriaMetrics returns labels sorted; rules build them in template order), and
// the same hash notifications carry as `fingerprint`, so the value is stable across releases.
import { createHash } from 'node:crypto';

export type Labels = Readonly<Record<string, string>>;

export function labelFingerprint(labels: Labels): string {
  const text = Object.keys(labels)
    .sort()
    .map((k) => `${k}\u0000${labels[k]}`)
    .join('\u0001');
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}
