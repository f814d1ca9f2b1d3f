// Is a `.config` file a simpleNN model? `.config` is also the extension of XML application settings
// (web.config, app.config, NuGet.config), so the editor takes over a file only when its text reads
// like simpleNN's: MATLAB-style assignments to simpleNN's own fields, and nothing like markup.

import { CONFIG_FIELDS } from './config-fields';

const FIELDS = new Set(CONFIG_FIELDS.map((f) => f.name));
/** `name = …` at the start of a line, after optional blanks. */
const ASSIGNMENT = /^\s*([A-Za-z_]\w*)\s*=/;
/** Lines read before deciding: a model is a dozen lines, comments included. */
const LINES_READ = 200;
/** Fields that only a simpleNN model assigns (L alone could be anything). */
const DISTINCTIVE = ['LC', 'ch_input', 'wd_filter', 'wd_subimage_pool', 'full_neurons'];

export function looksLikeSimpleNNConfig(text: string): boolean {
  const assigned = new Set<string>();
  for (const line of text.split(/\r?\n/, LINES_READ)) {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('%')) continue;
    if (trimmed.startsWith('<')) return false;  // XML settings
    const name = ASSIGNMENT.exec(line)?.[1];
    if (name !== undefined && FIELDS.has(name)) assigned.add(name);
  }
  return assigned.size >= 3 && DISTINCTIVE.some((f) => assigned.has(f));
}
