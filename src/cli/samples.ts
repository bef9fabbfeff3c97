import type { Command } from 'commander';

/** `rongdan samples generate`: filled in by the sample generator. */
export function registerSampleCommands(_program: Command): void {}
