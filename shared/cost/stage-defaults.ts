// The probe function's defaults in serverless.yml (params.default.probeMemoryMb, probeConcurrency), which the
// cost model assumes; test/integration/deploy.test.ts checks the two agree.
export const DEFAULT_PROBE_MEMORY_MB = 512;
export const DEFAULT_PROBE_CONCURRENCY = 50;
