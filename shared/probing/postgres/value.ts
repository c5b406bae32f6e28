// The probe's query result: the first column of the first row, as text, and the target's assertions on it.
import type { PostgresModule } from '../../config/index.js';
import { ProbeFailure } from '../failure.js';

const MESSAGE_VALUE_CHARS = 200;

/**
 * The value as text, the way a person reading psql output would write it in expect_value: numbers and
 * booleans as String() does, NULL as "NULL", dates in ISO 8601, bytea as \x-hex, JSON as JSON.
 */
export function renderValue(value: unknown): string {
  if (value === null) return 'NULL';
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? String(value) : value.toISOString();
  if (Buffer.isBuffer(value)) return `\\x${value.toString('hex')}`;
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

function shown(text: string): string {
  return JSON.stringify(text.length > MESSAGE_VALUE_CHARS ? `${text.slice(0, MESSAGE_VALUE_CHARS)}…` : text);
}

function asNumber(raw: unknown, text: string): number {
  const number = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : Number.NaN;
  if (Number.isNaN(number)) {
    throw new ProbeFailure('assertion', `query returned ${shown(text)}, which is not a number (min/max need a numeric first column)`);
  }
  return number;
}

/** Throws an "assertion" failure when the first value does not satisfy expect_value / min / max. */
export function checkValue(module: PostgresModule, first: { raw: unknown; text: string } | undefined): void {
  const asserting = module.expect_value !== undefined || module.min !== undefined || module.max !== undefined;
  if (!asserting) return;
  if (!first) throw new ProbeFailure('assertion', 'query returned no rows, so there is no value to check');
  if (module.expect_value !== undefined && first.text !== module.expect_value) {
    throw new ProbeFailure('assertion', `query returned ${shown(first.text)}, expected ${shown(module.expect_value)}`);
  }
  if (module.min === undefined && module.max === undefined) return;
  const number = asNumber(first.raw, first.text);
  if (module.min !== undefined && number < module.min) {
    throw new ProbeFailure('assertion', `query returned ${number}, below min ${module.min}`);
  }
  if (module.max !== undefined && number > module.max) {
    throw new ProbeFailure('assertion', `query returned ${number}, above max ${module.max}`);
  }
}
