// The one key for anything keyed by a label set: alert state, anomaly history, baselines, restored series.
// Independent of key order (VictoriaMetrics returns labels sorted; rules build them in template order), and
// the same hash notifications carry as `fingerprint`, so the value is stable across releases.
import { createHash } from 'node:crypto';

export type Labels = Readonly<Record<string, string>>;

export function labelFingerprint(labels: Labels): string {
  const keys = Object.keys(labels).sort();
  // NUL and SOH separate names and values, as always; a label holding one of them would make two label
  // sets read alike, so those (rare) sets are encoded as JSON instead, which never contains a raw NUL
  // while every non-empty separated text does: the two encodings cannot meet.
  const ambiguous = keys.some((k) => /[\u0000\u0001]/.test(k) || /[\u0000\u0001]/.test(labels[k] ?? ''));
  const text = ambiguous ? JSON.stringify(keys.map((k) => [k, labels[k]])) : keys.map((k) => `${k}\u0000${labels[k]}`).join('\u0001');
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}
