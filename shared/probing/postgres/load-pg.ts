// pg is loaded on the first PostgreSQL probe, not when the Lambda starts: most groups have no PostgreSQL
// targets, and module initialisation is part of every cold start.
import type pg from 'pg';

let loaded: Promise<typeof pg> | undefined;

export function loadPg(): Promise<typeof pg> {
  loaded ??= import('pg').then((module) => module.default);
  return loaded;
}
