// Alert state in VictoriaMetrics (see state-store.ts for the series): restored with /api/v1/export over the
// last hour, committed with the import API (spooled when VictoriaMetrics refuses) and flushed, so an
// evaluation that follows closely (an overlapping invocation, the next slot) finds it.
import type { Logger } from '../../observability/logger.js';
import type { Spool } from '../../storage/spool.js';
import { writeSamples } from '../../storage/write-samples.js';
import { errorMessage } from '../../observability/error-message.js';
import { exportRaw, forceFlush, QueryError, type VmReadConfig, type VmWriteConfig } from '../../victoria-metrics/index.js';
import type { AlertStateStore } from './alert-state-store.js';
import { decodeStates, encodeGroupState, STATE_SERIES_MATCH } from './state-store.js';

const STATE_LOOKBACK_MS = 3_600_000;

export interface VmStateStoreOptions {
  read: VmReadConfig;
  write: VmWriteConfig;
  logger: Logger;
  /** Where state writes go when VictoriaMetrics refuses them (never lost silently). */
  spool?: Spool;
}

export function createVmStateStore(options: VmStateStoreOptions): AlertStateStore {
  return {
    async restore(group, slotMs) {
      const match = `${STATE_SERIES_MATCH},alertgroup=${JSON.stringify(group.name)}}`;
      const from = slotMs - Math.max(STATE_LOOKBACK_MS, 3 * group.intervalMs);
      const series = await exportRaw(options.read, match, from, slotMs).catch((err: unknown) => {
        // Without state every firing alert would look new and notify again: better to skip this round.
        throw new QueryError(`cannot restore alert state: ${errorMessage(err)}`, 'unreachable');
      });
      return decodeStates(series, slotMs, group.rules);
    },
    async commit(group, slotMs, update) {
      const samples = encodeGroupState(group.name, update.rules, slotMs);
      const written = await writeSamples(samples, {
        vm: options.write,
        spool: options.spool ?? unspooled(options.logger, group.name),
        logger: options.logger,
        deadlineMs: Date.now() + 10_000,
      });
      if (written.written < samples.length) options.logger.error('alert state not fully written', { group: group.name, ...written });
      // Searchable at once, so an evaluation that follows closely finds this state.
      await forceFlush(options.write);
    },
  };
}

/** Without a spool, a state write that fails is reported loudly; the next evaluation writes state again. */
function unspooled(logger: Logger, group: string): Spool {
  return {
    put: async (entry) => logger.error('alert state not written: VictoriaMetrics unavailable', { group, samples: entry.samples }),
    take: async () => [],
    depth: async () => 0,
  };
}
