import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { CsvWriter } from '../core/csv.js';
import { APPLICATIONS_FILE, applicationRow, headerOf, SOURCE_FILES, sourceRows } from './layout.js';
import type { Application, ApplicationInput } from './schemas.js';

/**
 * Writes applications as a CSV sample directory (the layout of src/ingest/layout.ts), the inverse of
 * `readApplicationsDir`. Rows are written as they come, so any number of applications streams through.
 * @example const w = new ApplicationDirWriter('out'); await w.write(app); await w.close();
 */
export class ApplicationDirWriter {
  private readonly applications: CsvWriter;
  private readonly sources: CsvWriter[];

  constructor(dir: string) {
    mkdirSync(dir, { recursive: true });
    this.applications = new CsvWriter(join(dir, APPLICATIONS_FILE.file), headerOf(APPLICATIONS_FILE));
    this.sources = SOURCE_FILES.map((l) => new CsvWriter(join(dir, l.file), headerOf(l)));
  }

  /** Appends one application's rows to every file. */
  async write(app: ApplicationInput | Application): Promise<void> {
    await this.applications.write(applicationRow(app));
    for (let i = 0; i < SOURCE_FILES.length; i++) {
      const writer = this.sources[i] as CsvWriter;
      for (const row of sourceRows(app, SOURCE_FILES[i] as (typeof SOURCE_FILES)[number]))
        await writer.write(row);
    }
  }

  /** Flushes and closes every file. */
  async close(): Promise<void> {
    await this.applications.close();
    for (const w of this.sources) await w.close();
  }
}
