/** Starts the real Python server on a fresh demo database for the live tests. */

import { type ChildProcess, execFile, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

/** The repository root: two levels above this package's folder. */
function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "package.json"))) {
    const parent = dirname(dir);
    if (parent === dir) {
      throw new Error("package.json of the client package not found");
    }
    dir = parent;
  }
  return resolve(dir, "..", "..");
}

export const REPO_ROOT = repoRoot();
export const SEEDS = join(REPO_ROOT, "seeds");

export const ACME_TOKEN = "demo-acme-7f3c9a1e5b2d4c68";
export const GLOBEX_TOKEN = "demo-globex-2b8e6d4f1a9c3e57";

export interface RunningServer {
  /** Base URL, such as http://127.0.0.1:40123 */
  origin: string;
  graphqlUrl: string;
  /** The server's SQLite database file, for tests that change records behind its back. */
  databasePath: string;
  stop(): Promise<void>;
}

export interface ServerOptions {
  /** Environment variables on top of this process's, such as AUDIENCE_STATS_LIVE_SECONDS. */
  env?: Record<string, string>;
  timeoutMs?: number;
}

/** A port that was free a moment ago (the OS picks it). */
export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() => {
        if (address === null || typeof address === "string") {
          reject(new Error("no TCP address"));
        } else {
          resolvePort(address.port);
        }
      });
    });
  });
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolveExit) => {
    // A child that never started (pid undefined) emits no exit event.
    if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) {
      resolveExit();
    } else {
      child.once("exit", () => resolveExit());
    }
  });
}

/**
 * `audience-stats serve` on a free port with an empty SQLite file, which it fills with the demo
 * data from seeds/ before serving. Resolves once GET /graphql answers.
 */
export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const dir = await mkdtemp(join(tmpdir(), "audience-stats-client-"));
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const binary = join(REPO_ROOT, ".venv", "bin", "audience-stats");
  const databasePath = join(dir, "demo.db");
  const child = spawn(binary, ["serve", "--host", "127.0.0.1", "--port", String(port)], {
    cwd: dir,
    env: {
      ...process.env,
      ...options.env,
      DATABASE_URL: `sqlite+aiosqlite:///${databasePath}`,
    },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let log = "";
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    log = (log + chunk).slice(-4000);
  });
  let spawnError: Error | undefined;
  child.once("error", (error) => {
    spawnError = error;
  });

  // If the test process ends without stop() (an interrupted run), the server goes too.
  const killOnExit = () => child.kill("SIGTERM");
  process.once("exit", killOnExit);
  const stop = async (): Promise<void> => {
    process.removeListener("exit", killOnExit);
    child.kill("SIGTERM");
    await exited(child);
    await rm(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + timeoutMs;
  try {
    while (true) {
      if (spawnError !== undefined) {
        throw new Error(`cannot start ${binary}: ${spawnError.message}`);
      }
      if (child.exitCode !== null) {
        throw new Error(`the server exited with ${child.exitCode}:\n${log}`);
      }
      try {
        const response = await fetch(`${origin}/graphql`, {
          headers: { accept: "application/json" },
        });
        await response.arrayBuffer();
        break;
      } catch {
        if (Date.now() > deadline) {
          throw new Error(`the server did not answer within ${timeoutMs} ms:\n${log}`);
        }
        await sleep(100);
      }
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { origin, graphqlUrl: `${origin}/graphql`, databasePath, stop };
}

// One statement in one transaction through Python's sqlite3 module; prints the rows changed.
const WRITE_SQL = `
import json, sqlite3, sys
db = sqlite3.connect(sys.argv[1], timeout=30)
with db:
    changed = db.execute(sys.argv[2], json.loads(sys.argv[3])).rowcount
db.close()
print(changed)
`;

/**
 * Runs one SQL statement with `?` parameters on a SQLite database file and commits it, as a
 * writer other than the server (a dialler's) would: through the repo's Python, whose sqlite3
 * module needs no native npm package. Resolves to the number of rows changed.
 */
export async function writeSql(
  databasePath: string,
  sql: string,
  parameters: ReadonlyArray<string | number | null> = [],
): Promise<number> {
  const python = join(REPO_ROOT, ".venv", "bin", "python");
  const { stdout } = await promisify(execFile)(python, [
    "-c",
    WRITE_SQL,
    databasePath,
    sql,
    JSON.stringify(parameters),
  ]);
  return Number(stdout.trim());
}
