import type { Command } from 'commander';

/** `rongdan features build`: filled in by the feature pipeline. */
export function registerFeatureCommands(_program: Command): void {}
