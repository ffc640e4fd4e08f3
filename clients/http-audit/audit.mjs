// graphql-http's GraphQL over HTTP server audits against `audience-stats serve` on the demo data.
//
// Starts the server on a free port with a fresh SQLite file (which it seeds with seeds/), runs
// every audit with the demo token, prints each result and exits 1 unless all of them pass.
// AUDIENCE_STATS_BIN names the executable (default: the repository's .venv/bin/audience-stats).

import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";

import { serverAudits } from "graphql-http";

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const BINARY = process.env.AUDIENCE_STATS_BIN || join(REPO_ROOT, ".venv", "bin", "audience-stats");
const STARTUP_MS = 60_000;

/** The demo token: the first row of seeds/api_tokens.csv (columns token,workspace_id,name). */
function demoToken() {
  const [header, first] = readFileSync(join(REPO_ROOT, "seeds", "api_tokens.csv"), "utf8")
    .split(/\r?\n/)
    .map((line) => line.split(","));
  const token = first?.[header.indexOf("token")];
  if (!token) {
    throw new Error("seeds/api_tokens.csv has no token row");
  }
  return token;
}

/** A port that was free a moment ago (the OS picks it). */
function freePort() {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => resolvePort(port));
    });
  });
}

/** `audience-stats serve` on a new SQLite file; resolves once GET /graphql answers. */
async function startServer() {
  const dir = await mkdtemp(join(tmpdir(), "audience-stats-http-audit-"));
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const child = spawn(BINARY, ["serve", "--host", "127.0.0.1", "--port", String(port)], {
    cwd: dir,
    env: { ...process.env, DATABASE_URL: `sqlite+aiosqlite:///${join(dir, "demo.db")}` },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let log = "";
  child.stderr.setEncoding("utf8").on("data", (chunk) => {
    log = (log + chunk).slice(-4000);
  });
  let spawnError;
  child.once("error", (error) => {
    spawnError = error;
  });
  const exited = new Promise((resolveExit) => child.once("close", resolveExit));
  const killOnExit = () => child.kill("SIGTERM");
  process.once("exit", killOnExit);

  const stop = async () => {
    process.removeListener("exit", killOnExit);
    if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      await exited;
    }
    await rm(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + STARTUP_MS;
  try {
    while (true) {
      if (spawnError !== undefined) {
        throw new Error(`cannot start ${BINARY}: ${spawnError.message}`);
      }
      if (child.exitCode !== null) {
        throw new Error(`the server exited with ${child.exitCode}:\n${log}`);
      }
      try {
        // The GraphiQL page needs no token, so it tells when the server is up.
        const response = await fetch(`${origin}/graphql`, { headers: { accept: "text/html" } });
        await response.arrayBuffer();
        break;
      } catch {
        if (Date.now() > deadline) {
          throw new Error(`the server did not answer within ${STARTUP_MS} ms:\n${log}`);
        }
        await sleep(100);
      }
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { url: `${origin}/graphql`, stop };
}

const token = demoToken();
/** fetch with the demo token added to whatever headers the audit sends. */
const fetchFn = (input, init = {}) => {
  const headers = new Headers(init.headers);
  headers.set("token", token);
  return fetch(input, { ...init, headers });
};

const server = await startServer();
let results;
try {
  results = [];
  for (const audit of serverAudits({ url: server.url, fetchFn })) {
    results.push(await audit.fn());
  }
} finally {
  await server.stop();
}

for (const result of results) {
  if (result.status === "ok") {
    console.log(`ok     ${result.id}  ${result.name}`);
  } else {
    console.log(`${result.status.padEnd(6)} ${result.id}  ${result.name}\n         ${result.reason}`);
  }
}
const passed = results.filter((result) => result.status === "ok").length;
console.log(`\n${passed}/${results.length} audits pass`);
process.exitCode = passed === results.length ? 0 : 1;
