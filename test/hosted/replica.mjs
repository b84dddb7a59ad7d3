// One hosted replica as its own process, as `backlinks-mcp http` runs it: settings from the
// environment, the URL on stdout. Tests spawn several and kill them.
import { loadConfig } from "../../dist/config.js";
import { runHttp } from "../../dist/transport/http.js";

await runHttp(loadConfig(["http", ...process.argv.slice(2)]).config);
