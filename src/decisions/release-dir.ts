// Where releases live, apart from release.ts (which loads the models, and TF.js with them), so that the
// command line can show the default in its help without loading them.

/** The default directory of releases. */
export const RELEASES_DIR = 'models/releases';
