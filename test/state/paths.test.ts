import { describe, expect, it } from "vitest";
import { defaultStateDir } from "../../src/state/paths.js";

describe("defaultStateDir", () => {
  it("prefers DATAFORSEO_STATE_DIR on every platform", () => {
    for (const p of ["linux", "darwin", "win32"] as const) {
      expect(defaultStateDir({ DATAFORSEO_STATE_DIR: "/srv/bl", XDG_STATE_HOME: "/x" }, p, "/home/u")).toBe("/srv/bl");
    }
  });

  it("uses XDG_STATE_HOME on Linux, else ~/.local/state", () => {
    expect(defaultStateDir({ XDG_STATE_HOME: "/var/st" }, "linux", "/home/u")).toBe("/var/st/backlinks-mcp");
    expect(defaultStateDir({}, "linux", "/home/u")).toBe("/home/u/.local/state/backlinks-mcp");
    // a relative XDG path is invalid per the spec and ignored
    expect(defaultStateDir({ XDG_STATE_HOME: "rel/dir" }, "linux", "/home/u")).toBe("/home/u/.local/state/backlinks-mcp");
    expect(defaultStateDir({ DATAFORSEO_STATE_DIR: "  " }, "freebsd", "/home/u")).toBe("/home/u/.local/state/backlinks-mcp");
  });

  it("uses Application Support on macOS", () => {
    expect(defaultStateDir({ XDG_STATE_HOME: "/x" }, "darwin", "/Users/u")).toBe("/Users/u/Library/Application Support/backlinks-mcp");
  });

  it("uses LOCALAPPDATA on Windows", () => {
    expect(defaultStateDir({ LOCALAPPDATA: "C:\\Users\\u\\AppData\\Local" }, "win32", "C:\\Users\\u")).toBe(
      "C:\\Users\\u\\AppData\\Local\\backlinks-mcp",
    );
    expect(defaultStateDir({}, "win32", "C:\\Users\\u")).toBe("C:\\Users\\u\\AppData\\Local\\backlinks-mcp");
  });
});
