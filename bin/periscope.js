#!/usr/bin/env node
// Runs the CLI from its TypeScript source (no build step): tsx registers the loader, then the CLI loads.
import { register } from 'tsx/esm/api';

register();
await import('../cli/main.ts');
