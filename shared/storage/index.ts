export { encodeSample, encodeSamples, escapeLabelValue, sampleProblem, type TimedSample } from './exposition.js';
export { writeSamples, replaySpool, splitBatches, type WriteSamplesResult, type ReplayResult } from './write-samples.js';
export type { Spool, SpoolEntry, NewSpoolEntry } from './spool.js';
export { createFileSpool, SpoolWriteError, type SpoolFiles } from './file-spool.js';
