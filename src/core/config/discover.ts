/**
 * Finding config files in a folder: `template.yaml|yml|json`, the template named by
 * `samconfig.toml` / `samconfig.yaml`, and `serverless.yml|yaml`, at the top level and one
 * level down (build output and dependencies skipped).
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { parseConfigText } from './yaml-document';
import { isPlainObject } from './intrinsics';

export type ConfigFileKind = 'template' | 'serverless';

export interface DiscoveredConfigFile {
  file: string;
  kind: ConfigFileKind;
  /** How it was found, e.g. `samconfig.toml template_file`. */
  foundBy: string;
}

export const TEMPLATE_NAMES = ['template.yaml', 'template.yml', 'template.json'];
export const SERVERLESS_NAMES = ['serverless.yml', 'serverless.yaml'];
const SAMCONFIG_NAMES = ['samconfig.toml', 'samconfig.yaml', 'samconfig.yml'];
/** Folders never searched: dependencies, SAM/CDK/Serverless build output, VCS metadata. */
const SKIPPED_FOLDERS = new Set(['node_modules', '.aws-sam', 'cdk.out', '.serverless', '.build', 'dist', 'coverage']);

/** Config files of `root` and its immediate subfolders, in a stable order. Never throws. */
export async function discoverConfigFiles(root: string, depth = 1): Promise<DiscoveredConfigFile[]> {
  const folders = [resolve(root)];
  if (depth > 0) {
    const entries = await readdir(folders[0], { withFileTypes: true }).catch(() => []);
    const subfolders = entries
      .filter((e) => e.isDirectory() && !e.name.startsWith('.') && !SKIPPED_FOLDERS.has(e.name))
      .map((e) => join(folders[0], e.name))
      .sort();
    folders.push(...subfolders);
  }
  const found: DiscoveredConfigFile[] = [];
  const seen = new Set<string>();
  const add = (file: string, kind: ConfigFileKind, foundBy: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    found.push({ file, kind, foundBy });
  };
  for (const folder of folders) {
    for (const samconfig of SAMCONFIG_NAMES) {
      const path = join(folder, samconfig);
      const templateFile = await samconfigTemplate(path);
      if (templateFile && (await isFile(templateFile))) add(templateFile, 'template', `${samconfig} template_file`);
    }
    for (const name of TEMPLATE_NAMES) {
      if (await isFile(join(folder, name))) add(join(folder, name), 'template', name);
    }
    for (const name of SERVERLESS_NAMES) {
      if (await isFile(join(folder, name))) add(join(folder, name), 'serverless', name);
    }
  }
  return found;
}

/**
 * The `template_file` of a samconfig file (absolute), preferring the `default` environment;
 * null when absent or unreadable. A line-based read of TOML is enough for this one key.
 */
export async function samconfigTemplate(path: string): Promise<string | null> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return null;
  }
  const value = /\.toml$/i.test(path) ? tomlTemplateFile(text) : yamlTemplateFile(text);
  return value ? resolve(dirname(path), value) : null;
}

/** Exported for tests: `template_file` from samconfig.toml text. */
export function tomlTemplateFile(text: string): string | null {
  let section = '';
  const found: { section: string; value: string }[] = [];
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.trim();
    const header = /^\[\s*([^\]]+?)\s*\]$/.exec(line);
    if (header) {
      section = header[1].replace(/["']/g, '');
      continue;
    }
    const entry = /^template_file\s*=\s*(?:"((?:[^"\\]|\\.)*)"|'([^']*)')/.exec(line);
    if (entry) found.push({ section, value: entry[1] !== undefined ? entry[1].replace(/\\(.)/g, '$1') : entry[2] });
  }
  return (found.find((f) => f.section.startsWith('default.')) ?? found[0])?.value ?? null;
}

function yamlTemplateFile(text: string): string | null {
  const parsed = parseConfigText(text);
  if (!isPlainObject(parsed.value)) return null;
  const environments = [parsed.value.default, ...Object.values(parsed.value)];
  for (const environment of environments) {
    if (!isPlainObject(environment)) continue;
    for (const command of Object.values(environment)) {
      const parameters = isPlainObject(command) ? command.parameters : undefined;
      if (isPlainObject(parameters) && typeof parameters.template_file === 'string') return parameters.template_file;
    }
  }
  return null;
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}
