// Where state that outlives the process lives (the spend ledger). Pure: config.ts passes in
// the environment, the platform and the home folder, so tests can ask for any platform.
import path from "node:path";

export const APP_DIR_NAME = "backlinks-mcp";

/**
 * The folder for persistent state: DATAFORSEO_STATE_DIR when set, else the platform's
 * per-user state folder:
 * - Linux and other Unix: $XDG_STATE_HOME/backlinks-mcp, or ~/.local/state/backlinks-mcp
 * - macOS: ~/Library/Application Support/backlinks-mcp
 * - Windows: %LOCALAPPDATA%\backlinks-mcp, or ~\AppData\Local\backlinks-mcp
 * Relative XDG_STATE_HOME values are ignored, as the XDG spec requires.
 */
export function defaultStateDir(
  env: Readonly<Record<string, string | undefined>>,
  platform: NodeJS.Platform,
  homedir: string,
): string {
  const explicit = env.DATAFORSEO_STATE_DIR?.trim();
  if (explicit) return explicit;
  if (platform === "win32") {
    const local = env.LOCALAPPDATA?.trim();
    return path.win32.join(local || path.win32.join(homedir, "AppData", "Local"), APP_DIR_NAME);
  }
  if (platform === "darwin") {
    return path.posix.join(homedir, "Library", "Application Support", APP_DIR_NAME);
  }
  const xdg = env.XDG_STATE_HOME?.trim();
  if (xdg && path.posix.isAbsolute(xdg)) return path.posix.join(xdg, APP_DIR_NAME);
  return path.posix.join(homedir, ".local", "state", APP_DIR_NAME);
}
