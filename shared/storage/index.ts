export { encodeSample, encodeSamples, escapeLabelValue, sampleProblem, type TimedSample } from './exposition.js';
export { writeBatch, type VmAuth, type VmWriteConfig, type WriteBatchResult } from './write-batch.js';
export { writeSamples, replaySpool, splitBatches, type WriteSamplesResult, type ReplayResult } from './write-samples.js';
export type { Spool, SpoolEntry, NewSpoolEntry } from './spool.js';
export { createFileSpool } from './file-spool.js';
export { importUrl, redactUrl } from './vm-url.js';
