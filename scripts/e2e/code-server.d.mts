// Types for code-server.mjs (imported from TypeScript by test/e2e/harness.ts).

export declare const quietSettings: Readonly<Record<string, unknown>>;

export interface Versions { readonly node: string; readonly codeServer: string }
export interface E2EPaths {
  readonly versions: Versions;
  /** The cache folder (CONVLAB_E2E_CACHE or ~/.cache/convlab-e2e). */
  readonly cache: string;
  /** Node 24's binary. */
  readonly node: string;
  /** code-server's entry script (run with `node`). */
  readonly codeServer: string;
  /** True once scripts/e2e-setup.sh completed. */
  readonly installed: boolean;
}

export declare function readVersions(root: string): Versions;
export declare function e2ePaths(root: string, env?: NodeJS.ProcessEnv): E2EPaths;
export declare function ensureInstalled(root: string): E2EPaths;
export declare function packageExtension(root: string, log?: (msg: string) => void): string;
export declare function freePort(): Promise<number>;
export declare function folderUrl(serverUrl: string, folder: string): string;

export interface StartOptions {
  /** Folder for this server's profile, XDG dirs, config and log. */
  readonly runDir: string;
  /** A .vsix to install into the profile before starting. */
  readonly vsix?: string;
  /** Folder code-server opens by default. */
  readonly workspace?: string;
  /** User settings merged over `quietSettings`. */
  readonly settings?: Readonly<Record<string, unknown>>;
  /** Keep an existing settings.json (a persistent profile the user may have changed). */
  readonly preserveSettings?: boolean;
  readonly port?: number;
  readonly readyTimeoutMs?: number;
  /** The repository root (where scripts/e2e/versions.env is). */
  readonly root: string;
  /** Result of `e2ePaths(root)`, if the caller already has it. */
  readonly paths?: E2EPaths;
  readonly log?: (msg: string) => void;
}
export interface CodeServer {
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  readonly runDir: string;
  readonly logFile: string;
  /** Settles when the code-server process ends, with its exit code/signal. */
  readonly exited: Promise<string>;
  /** Kills code-server's whole process group; safe to call twice. */
  stop(): Promise<void>;
}
export declare function startCodeServer(opts: StartOptions): Promise<CodeServer>;
