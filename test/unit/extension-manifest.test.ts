/** package.json's contributions agree with the code, and the VSIX allow-list ships bundles only. */
import { strict as assert } from 'node:assert';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import './fake-vscode';
import { commandId, EXTENSION_ID, PANEL_VIEW_TYPE } from '../../src/vscode/command-ids';
import { COMMAND_TABLE, type CommandName, type CommandSpec } from '../../src/vscode/command-registry';
import { SETTING_DEFAULTS } from '../../src/vscode/settings';
import { DEPLOYED_SETTINGS_CONTRIBUTION } from '../../src/vscode/deployed/deployed-settings';
import { DEFAULT_BUDGETS } from '../../src/core/runtime/environment-api';
import { RUNTIME_PROFILE_NAMES } from '../../src/core/lambda/runtime-profiles';

const ROOT = join(__dirname, '..', '..');

interface Manifest {
  name: string;
  publisher: string;
  main: string;
  icon: string;
  license: string;
  repository: { url: string };
  categories: string[];
  keywords: string[];
  activationEvents: string[];
  capabilities: { untrustedWorkspaces: { supported: string | boolean; description?: string; restrictedConfigurations?: string[] } };
  scripts: Record<string, string>;
  contributes: {
    commands: { command: string; title: string; category?: string; icon?: string }[];
    menus: Record<string, { command: string; when?: string; group?: string }[]>;
    keybindings: { command: string; key: string; mac?: string; when?: string }[];
    configuration: { properties: Record<string, { type: string; default?: unknown; markdownDescription?: string; description?: string }> };
  };
}

const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Manifest;
/** Every command the extension registers, from the command table. */
const table = Object.entries(COMMAND_TABLE) as [CommandName, CommandSpec][];
const ids: string[] = table.map(([name]) => commandId(name));

describe('extension: package.json contributions', () => {
  it('is the extension the test API documents', () => {
    assert.equal(`${manifest.publisher}.${manifest.name}`, EXTENSION_ID);
    assert.equal(manifest.main, './dist/extension.js');
  });

  it('declares exactly the command ids of the command table, each with a title and the Warm State category', () => {
    assert.deepEqual(manifest.contributes.commands.map((c) => c.command).sort(), [...ids].sort());
    for (const command of manifest.contributes.commands) {
      assert.equal(command.category, 'Warm State', command.command);
      assert.ok(command.title.length > 0, command.command);
    }
  });

  it('uses the titles the issue names', () => {
    const title = (id: string): string | undefined => manifest.contributes.commands.find((c) => c.command === id)?.title;
    assert.equal(title(commandId('invokeWarm')), 'Invoke Warm');
    assert.equal(title(commandId('invokeCold')), 'Invoke Cold');
    assert.equal(title(commandId('invokeConcurrently')), 'Invoke Warm Concurrently');
    assert.equal(title(commandId('resetEnvironment')), 'Reset Environment');
    assert.equal(title(commandId('selectEvent')), 'Select Event...');
    assert.equal(title(commandId('showPanel')), 'Show Panel');
  });

  it('hides argument-only commands from the palette and nothing else', () => {
    const palette = manifest.contributes.menus.commandPalette;
    for (const [name, spec] of table) {
      const entry = palette.find((item) => item.command === commandId(name));
      if (spec.argumentsRequired) assert.equal(entry?.when, 'false', name);
      else assert.notEqual(entry?.when, 'false', name);
    }
  });

  it('has an editor-title button and a keybinding for Invoke Warm on JS/TS files', () => {
    const button = manifest.contributes.menus['editor/title'].find((item) => item.command === commandId('invokeWarm'));
    assert.ok(button?.when?.includes('javascript') && button.when.includes('typescript'));
    assert.ok(manifest.contributes.commands.find((c) => c.command === commandId('invokeWarm'))?.icon, 'a title-bar button needs an icon');
    const key = manifest.contributes.keybindings.find((k) => k.command === commandId('invokeWarm'));
    assert.ok(key?.key && key.mac && key.when?.includes('javascript') && key.when.includes('typescript'));
  });

  it('activates on JS/TS files and to restore panels', () => {
    assert.deepEqual([...manifest.activationEvents].sort(), ['onLanguage:javascript', 'onLanguage:typescript', `onWebviewPanel:${PANEL_VIEW_TYPE}`].sort());
  });

  it('declares limited support for untrusted workspaces, with a reason', () => {
    assert.equal(manifest.capabilities.untrustedWorkspaces.supported, 'limited');
    assert.ok((manifest.capabilities.untrustedWorkspaces.description ?? '').length > 20);
  });

  it('contributes every setting the issue asks for, described, with defaults matching the code', () => {
    const properties = manifest.contributes.configuration.properties;
    for (const key of ['nodePath', 'timeoutSeconds', 'memoryMB', 'freeze', 'capture.depth', 'capture.items', 'capture.stringLength', 'capture.nodes', 'codeLens.enabled', 'environmentVariables', 'historyLength']) {
      const property = properties[`warmState.${key}`];
      assert.ok(property, key);
      assert.ok((property.markdownDescription ?? property.description ?? '').length > 10, key);
    }
    assert.equal(properties['warmState.timeoutSeconds'].default, SETTING_DEFAULTS.timeoutSeconds);
    assert.equal(properties['warmState.memoryMB'].default, SETTING_DEFAULTS.memoryMB);
    assert.equal(properties['warmState.historyLength'].default, SETTING_DEFAULTS.historyLength);
    assert.equal(properties['warmState.capture.depth'].default, DEFAULT_BUDGETS.depth);
    assert.equal(properties['warmState.capture.items'].default, DEFAULT_BUDGETS.items);
    assert.equal(properties['warmState.capture.stringLength'].default, DEFAULT_BUDGETS.stringLength);
    assert.equal(properties['warmState.capture.nodes'].default, DEFAULT_BUDGETS.nodes);
  });

  it('contributes warmState.runtime: automatic or one of the profiles, restricted in untrusted workspaces (it changes what runs)', () => {
    const property = manifest.contributes.configuration.properties['warmState.runtime'] as { enum?: string[]; default?: unknown };
    assert.deepEqual(property.enum, ['', ...RUNTIME_PROFILE_NAMES]);
    assert.equal(property.default, '');
    assert.ok(manifest.capabilities.untrustedWorkspaces.restrictedConfigurations?.includes('warmState.runtime'));
  });

  it('contributes the deployed-mode settings as that module proposes them', () => {
    for (const [key, property] of Object.entries(DEPLOYED_SETTINGS_CONTRIBUTION)) {
      assert.deepEqual(manifest.contributes.configuration.properties[key], JSON.parse(JSON.stringify(property)), key);
    }
  });

  it('has what the marketplace listing needs', () => {
    assert.equal(manifest.license, 'MIT');
    assert.ok(manifest.repository.url.startsWith('https://'));
    assert.ok(manifest.categories.length > 0 && manifest.keywords.length > 0);
    assert.ok(existsSync(join(ROOT, manifest.icon)), manifest.icon);
    const png = readFileSync(join(ROOT, manifest.icon));
    assert.equal(png.subarray(1, 4).toString('latin1'), 'PNG');
    assert.deepEqual([png.readUInt32BE(16), png.readUInt32BE(20)], [128, 128], 'a 128x128 icon');
    for (const file of ['LICENSE', 'CHANGELOG.md']) assert.ok(existsSync(join(ROOT, file)), file);
    assert.match(manifest.scripts.package, /vsce package --no-dependencies/);
  });
});

describe('extension: .vscodeignore allow-list', () => {
  const lines = readFileSync(join(ROOT, '.vscodeignore'), 'utf8').split('\n').map((line) => line.trim()).filter((line) => line !== '' && !line.startsWith('#'));

  it('starts by excluding everything and re-includes only listed files', () => {
    assert.equal(lines[0], '**');
    for (const line of lines.slice(1)) assert.ok(line.startsWith('!'), line);
  });

  it('ships every file the build puts in dist/ for the extension, never sources, tests or node_modules', () => {
    const included = lines.slice(1).map((line) => line.slice(1));
    // Derived from the build output (npm test builds first), so a new bundle cannot be forgotten:
    // the cloud probe's shim once was. Not the extension's: dist/cli.js (the npm bin), dist/bench.
    const built = listFiles(join(ROOT, 'dist')).filter((file) => file !== 'dist/cli.js' && !file.startsWith('dist/bench/'));
    assert.ok(built.includes('dist/child/probe-shim.mjs') && built.includes('dist/child/typescript.js'), 'the build ran');
    for (const file of built) assert.ok(included.some((pattern) => matchesAllowEntry(pattern, file)), `${file} is built but not shipped`);
    for (const needed of ['resources/icon.png', 'resources/events/*.json']) assert.ok(included.includes(needed), needed);
    for (const pattern of included) assert.ok(!/^(src|test|node_modules|media\/src|scripts)\b/.test(pattern) && !pattern.endsWith('.map'), pattern);
  });

  it('re-includes the icon the manifest names', () => {
    assert.ok(lines.includes(`!${manifest.icon}`));
  });
});

/** Files below `dir`, as paths relative to the project root with forward slashes. */
function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = join(dir, entry.name);
    return entry.isDirectory() ? listFiles(full) : [relative(ROOT, full).split(sep).join('/')];
  });
}

/** The subset of .vscodeignore globs used here: exact paths, `folder/**` and `*` within one folder. */
function matchesAllowEntry(pattern: string, file: string): boolean {
  if (pattern.endsWith('/**')) return file.startsWith(pattern.slice(0, -2));
  const expression = new RegExp(`^${pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[^/]*')}$`);
  return expression.test(file);
}
