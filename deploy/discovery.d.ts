// Types for deploy/discovery.js (plain JavaScript, loaded by osls), so tests can call it type-checked.
export interface Resolver {
  resolveVariable(variable: string): Promise<unknown>;
}
export function discoveryStatements(group: { name: string; discovery: Record<string, unknown> }): Array<Record<string, unknown>>;
export function probeDiscoveryResources(resolver: Resolver): Promise<{ Resources?: Record<string, unknown> }>;
