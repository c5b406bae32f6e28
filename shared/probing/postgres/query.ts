// Running the probe's query without keeping its result set: pg's Query with a 'row' listener does not
// accumulate rows, so a query that returns a million rows holds one at a time. Only the first row of the last
// statement's result is kept (what the probe checks), and a few rows for the --debug excerpt.
import type pg from 'pg';

export interface QueryOutcome {
  /** The first row of the last statement, when it returned any. */
  firstRow: unknown[] | undefined;
  /** Rows the last statement returned. */
  rowCount: number;
  /** Its first rows, for --debug. */
  shownRows: unknown[][];
}

const SHOWN_ROWS = 20;

/** Runs `text` on the client; rejects with pg's error (or the stream's, when the socket was destroyed). */
export function runQuery(pgModule: typeof pg, client: pg.Client, text: string, keepShownRows: boolean): Promise<QueryOutcome> {
  return new Promise((resolve, reject) => {
    // rowMode is a Query option pg reads, though its QueryConfig type does not list it.
    const config: pg.QueryArrayConfig = { text, rowMode: 'array' };
    const query = new pgModule.Query(config);
    let current: unknown;
    let outcome: QueryOutcome = { firstRow: undefined, rowCount: 0, shownRows: [] };
    query.on('row', (row: unknown[], result: unknown) => {
      // A new Result object is a new statement of a multi-statement query: its rows replace the last's.
      if (result !== current) {
        current = result;
        outcome = { firstRow: row, rowCount: 0, shownRows: [] };
      }
      outcome.rowCount += 1;
      if (keepShownRows && outcome.shownRows.length < SHOWN_ROWS) outcome.shownRows.push(row);
    });
    query.on('end', (results: unknown) => {
      const last = Array.isArray(results) ? (results[results.length - 1] as unknown) : results;
      // The last statement returned no rows (SELECT 1; SET x = 1): there is no first value.
      resolve(last === current ? outcome : { firstRow: undefined, rowCount: 0, shownRows: [] });
    });
    query.on('error', reject);
    client.query(query);
  });
}
