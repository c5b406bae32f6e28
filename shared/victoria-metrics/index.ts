// The one VictoriaMetrics client: nothing else in the code base builds a VictoriaMetrics URL or calls fetch
// on one (test/unit/architecture.test.ts checks). Functions of a connection rather than an object, so a Lambda
// bundle takes only the parts it calls.
export { redactSecrets, vmAuthFromEnv, vmAuthHeaders, type VmAuth, type VmConnection } from './auth.js';
export { QueryError, vmErrorDetail } from './http.js';
export { importUrl, redactUrl, vmEndpoint } from './url.js';
export { exportRaw, parseSampleValue, queryInstant, queryRange, type ExportedSeries, type InstantSample, type RangeSeries } from './query.js';
export { deleteSeries, rejectedStatus, remoteWrite, retriableStatus, writeBatch, type WriteBatchOptions, type WriteBatchResult } from './write.js';
export { createWriteCircuit, type WriteCircuit } from './write-circuit.js';
export { forceFlush, isHealthy } from './admin.js';

/** Older names of the connection, kept where they say which way the data goes. */
export type { VmConnection as VmReadConfig, VmConnection as VmWriteConfig } from './auth.js';
