#!/usr/bin/env node
// The `rongdan` bin runs the TypeScript source through tsx, so `npx rongdan` works right after `npm ci`
// (nothing to build) and the CLI's defaults (sample, catalog, models) resolve from the repository root.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
