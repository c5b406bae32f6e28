export { estimateCost, formatEstimate, billedMsPerRun, fargateTask, type CostEstimate, type CostLine, type ScheduleLoad, type StageSetup } from './model.js';
export { PRICES, type Prices } from './prices.js';
export { DEFAULT_RUN_PROFILE, probeKind, profileFromBench, scheduleLoads, type ProbeKind, type RunProfile } from './run-profile.js';
