import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * Writes a copy of the first release with a small guarantor (net assets in yuan) and concentration limits
 * lifted to 100%, so that the leverage cap binds within a slice of the sample; model paths made absolute so
 * the copy loads from any directory. Returns the file.
 */
export function writeSmallBookRelease(dir: string, id: string, netAssets: number): string {
  const r = JSON.parse(readFileSync('models/releases/admission-2026.12.json', 'utf8'));
  for (const m of [r.models.champion, r.models.challenger]) m.path = resolve('models/releases', m.path);
  r.id = id;
  r.policy.guarantor = { ...r.policy.guarantor, netAssets, singleClientShare: 1, groupShare: 1 };
  r.policy.portfolio.netAssets = netAssets;
  r.policy.portfolio.concentration = {
    ...r.policy.portfolio.concentration,
    singleClient: 1,
    relatedGroup: 1,
  };
  const file = join(dir, `${id}.json`);
  writeFileSync(file, JSON.stringify(r));
  return file;
}
