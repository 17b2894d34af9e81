/**
 * Functions declared by SAM/CloudFormation templates and serverless.yml files in the
 * workspace folders, rescanned when such a file changes. Broken files never stop the
 * extension: their problems go to the output channel and the handler runs with the
 * settings alone.
 */
import * as vscode from 'vscode';
import type { ConfigScan, FunctionConfig } from '../core/config/types';
import { load } from './lazy';

const CONFIG_GLOB = '**/{template.yaml,template.yml,template.json,samconfig.toml,serverless.yml,serverless.yaml}';

export interface ConfigLog {
  warn(message: string): void;
  info(message: string): void;
}

export class ConfigIndex implements vscode.Disposable {
  private scans: Promise<ConfigScan[]> | undefined;
  /** The region the scans resolved AWS::Region with. */
  private scannedRegion: string | undefined;
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [this.changed];
  private watcher: vscode.FileSystemWatcher | undefined;
  private rescanTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly log: ConfigLog) {
    this.disposables.push(vscode.workspace.onDidChangeWorkspaceFolders(() => this.scheduleRescan()));
  }

  /** Starts watching config files on first use, so activation does not pay for it. */
  private ensureWatcher(): void {
    if (this.watcher) return;
    this.watcher = vscode.workspace.createFileSystemWatcher(CONFIG_GLOB);
    this.disposables.push(
      this.watcher,
      this.watcher.onDidChange(() => this.scheduleRescan()),
      this.watcher.onDidCreate(() => this.scheduleRescan()),
      this.watcher.onDidDelete(() => this.scheduleRescan()),
    );
  }

  private scheduleRescan(): void {
    if (this.rescanTimer) clearTimeout(this.rescanTimer);
    // Saving a template fires several events; one rescan is enough.
    this.rescanTimer = setTimeout(() => {
      this.rescanTimer = undefined;
      this.scans = undefined;
      this.changed.fire();
    }, 300);
  }

  /** The template reader (yaml and all), loaded on first use. */
  private reader() {
    return load('configReader');
  }

  private async all(): Promise<ConfigScan[]> {
    this.ensureWatcher();
    // A template's AWS::Region is the region the editor's local functions run in: when the
    // profile's region changes, the templates are read again.
    const region = await this.region();
    if (region !== this.scannedRegion) this.scans = undefined;
    this.scannedRegion = region;
    this.scans ??= this.scanAll(region);
    return this.scans;
  }

  /** The environment's region, else the profile's; undefined (the reader then takes the environment's) if that cannot be known. */
  private async region(): Promise<string | undefined> {
    try {
      return await (await load('callerRegion')).callerRegion(process.env);
    } catch (error) {
      this.log.warn(`Could not read the AWS profile's region: ${error instanceof Error ? error.message : String(error)}`);
      return undefined;
    }
  }

  private async scanAll(region: string | undefined): Promise<ConfigScan[]> {
    const folders = vscode.workspace.workspaceFolders ?? [];
    if (folders.length === 0) return [];
    try {
      const { scanWorkspaceConfigs } = await this.reader();
      const env = stringEnvironment();
      const scans = await Promise.all(folders.filter((folder) => folder.uri.scheme === 'file').map((folder) => scanWorkspaceConfigs(folder.uri.fsPath, env, region === undefined ? {} : { region })));
      for (const scan of scans) {
        for (const problem of scan.problems) {
          const where = problem.line ? `${problem.file}:${problem.line}` : problem.file;
          this.log.warn(`${where}: ${problem.message}`);
        }
        if (scan.functions.length > 0) this.log.info(`Read ${scan.functions.length} function(s) from ${scan.files.length} template(s) in ${scan.root}.`);
      }
      return scans;
    } catch (error) {
      // A fault of the reader itself: run without templates rather than not at all.
      this.log.warn(`Could not read SAM/serverless templates: ${error instanceof Error ? error.message : String(error)}`);
      return [];
    }
  }

  /** The function a template declares for this file and export, if any. */
  async functionFor(file: string, exportName: string): Promise<FunctionConfig | undefined> {
    const scans = await this.all();
    if (scans.every((scan) => scan.functions.length === 0)) return undefined;
    const { findFunctionForHandler } = await this.reader();
    for (const scan of scans) {
      const found = findFunctionForHandler(scan, file, exportName);
      if (found) return found;
    }
    return undefined;
  }

  /** Exports of `file` that templates name as handlers. */
  async declaredExports(file: string): Promise<string[]> {
    const scans = await this.all();
    if (scans.every((scan) => scan.functions.length === 0)) return [];
    const { declaredExportsForFile } = await this.reader();
    return [...new Set(scans.flatMap((scan) => declaredExportsForFile(scan, file)))];
  }

  dispose(): void {
    if (this.rescanTimer) clearTimeout(this.rescanTimer);
    for (const disposable of this.disposables) disposable.dispose();
  }
}

/** For `${env:NAME}` in serverless.yml: the environment the editor was started with. */
function stringEnvironment(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) if (value !== undefined) env[name] = value;
  return env;
}
