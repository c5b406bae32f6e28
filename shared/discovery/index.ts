// Targets discovered in AWS for a group with `discovery:` (Cloud Map, ECS services, target groups).
export { createDiscovery, targetsFromInstances, type Discover, type DiscoveryOptions } from './discover.js';
export { DiscoveryError, type DiscoveryApis, type Instance } from './sources.js';
