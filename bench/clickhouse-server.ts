import { type ChildProcess, spawn } from "node:child_process";
import {
  accessSync,
  constants,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { get } from "node:http";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";

/**
 * Real ClickHouse servers for the conformance tests and the benchmark: each on loopback, with its own temporary
 * directory (data, logs, config) and its own ports. Written for Debian's clickhouse-server 18.16
 * (the old `<yandex>` config root); .ci/run installs it.
 */

export interface ClickhouseFixture {
  /** HTTP URL of node 1, e.g. `http://127.0.0.1:PORT`. */
  readonly url: string;
  /** Name of the cluster in `<remote_servers>` (`sextant_test`), or null for a single server. */
  readonly cluster: string | null;
  /** HTTP URL of every node, node 1 first. */
  readonly nodes: string[];
  /** SIGTERM every server, SIGKILL what has not exited after a while, remove the temp directory. */
  stop(): Promise<void>;
  /** Stops one node (0 is node 1), to see what users see when a node is down. */
  stopNode(index: number): Promise<void>;
}

export const CLUSTER_NAME = "sextant_test";

/** The cluster's nodes: different loopback addresses, so that they can share one pair of ports. */
const CLUSTER_HOSTS = ["127.0.0.1", "127.0.0.2"] as const;

/** How long a server may take to answer `SELECT 1` (18.16 starts in about a second). */
const READY_TIMEOUT_MS = 30_000;
/** How long a server may take to exit after SIGTERM before it gets SIGKILL. */
const STOP_TIMEOUT_MS = 10_000;
/** Tries with fresh ports when another process took a port between our probe and the server's bind. */
const PORT_TRIES = 5;

/** Memory-backed /dev/shm when there is one, as the other suites (SEXTANT_TEST_TMP overrides). */
const TEST_TMP = process.env.SEXTANT_TEST_TMP ?? (existsSync("/dev/shm") ? "/dev/shm" : tmpdir());

/** The clickhouse-server binary: SEXTANT_CLICKHOUSE_SERVER, then PATH, /usr/sbin, /usr/bin; null when absent. */
export function findClickhouseServer(): string | null {
  const explicit = process.env.SEXTANT_CLICKHOUSE_SERVER;
  if (explicit) return isExecutable(explicit) ? explicit : null;
  const dirs = [...(process.env.PATH ?? "").split(delimiter).filter(Boolean), "/usr/sbin", "/usr/bin"];
  for (const dir of dirs) {
    const candidate = join(dir, "clickhouse-server");
    if (isExecutable(candidate)) return candidate;
  }
  return null;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Where a server keeps its data: memory-backed by default (tests); the benchmark passes a disk directory. */
export interface StartOptions {
  readonly parentDir?: string;
}

/** One server on 127.0.0.1. */
export async function startSingle(options: StartOptions = {}): Promise<ClickhouseFixture> {
  return start(["127.0.0.1"], null, options);
}

/**
 * Two servers forming the two-shard cluster `sextant_test` (one replica each), declared in both
 * servers' configs. Node 1 listens on 127.0.0.1 and node 2 on 127.0.0.2, on the SAME http and tcp
 * ports: the Sextant store finds each node's HTTP URL from `system.clusters` (host_address) and the
 * port of the URL it was given.
 */
export async function startCluster(options: StartOptions = {}): Promise<ClickhouseFixture> {
  return start(CLUSTER_HOSTS, CLUSTER_NAME, options);
}

interface Ports {
  readonly http: number;
  readonly tcp: number;
  readonly interserver: number;
}

interface Node {
  readonly host: string;
  readonly dir: string;
  readonly url: string;
  readonly child: ChildProcess;
  /** The last few KB of the server's stderr (config errors arrive here, before the logger is set up). */
  stderr: string;
  exited: boolean;
}

/** Every server this process started and has not stopped: the 'exit' handler kills them. */
const running = new Set<ChildProcess>();
let exitHandlerInstalled = false;

function installExitHandler(): void {
  if (exitHandlerInstalled) return;
  exitHandlerInstalled = true;
  // A test that fails before its afterAll, or a worker that exits early, must not leave servers
  // behind: 'exit' handlers can only do synchronous work, and kill() is synchronous.
  process.on("exit", () => {
    for (const child of running) child.kill("SIGKILL");
  });
}

async function start(
  hosts: readonly string[],
  cluster: string | null,
  options: StartOptions,
): Promise<ClickhouseFixture> {
  const binary = findClickhouseServer();
  if (!binary)
    throw new Error(
      "clickhouse-server not found (SEXTANT_CLICKHOUSE_SERVER, PATH, /usr/sbin, /usr/bin): install Debian's clickhouse-server (.ci/run does)",
    );
  installExitHandler();
  let lastError: unknown;
  for (let attempt = 1; attempt <= PORT_TRIES; attempt++) {
    const ports = await freePorts(hosts);
    const root = mkdtempSync(join(options.parentDir ?? TEST_TMP, "sextant-clickhouse-"));
    const nodes: Node[] = [];
    let dog: Watchdog | undefined;
    try {
      for (const host of hosts) nodes.push(launch(binary, root, host, hosts, ports, cluster));
      dog = watchdog(root, nodes);
      await Promise.all(nodes.map((node) => waitReady(node)));
      return fixture(root, nodes, cluster, dog);
    } catch (error) {
      lastError = error;
      await stopNodes(nodes);
      dog?.release();
      rmSync(root, { recursive: true, force: true });
      if (!(error instanceof PortTaken)) throw error;
    }
  }
  throw lastError;
}

function fixture(root: string, nodes: Node[], cluster: string | null, dog: Watchdog): ClickhouseFixture {
  let stopped: Promise<void> | undefined;
  const first = nodes[0];
  if (!first) throw new Error("no nodes");
  return {
    url: first.url,
    cluster,
    nodes: nodes.map((node) => node.url),
    async stopNode(index) {
      const node = nodes[index];
      if (!node) throw new Error(`no node ${index}`);
      await stopNode(node);
    },
    stop() {
      stopped ??= stopNodes(nodes).then(() => {
        dog.release();
        rmSync(root, { recursive: true, force: true });
      });
      return stopped;
    },
  };
}

interface Watchdog {
  /** The servers have stopped: let the watchdog exit without killing anything. */
  release(): void;
}

/**
 * A shell that kills the servers and removes their directory when this process dies, however it
 * dies: vitest ends its fork workers with a signal, and then no 'exit' handler runs. The shell
 * blocks reading a pipe from this process; the kernel closes the pipe when this process dies, the
 * read hits end of file, and the shell SIGKILLs the servers. release() writes a line instead, and
 * the shell exits quietly. Neither the shell nor its pipe keeps this process's event loop alive.
 */
function watchdog(root: string, nodes: readonly Node[]): Watchdog {
  const pids = nodes.map((node) => node.child.pid).filter((pid): pid is number => pid !== undefined);
  const script =
    'root=$1; shift; if read -r line; then exit 0; fi; kill -KILL "$@" 2>/dev/null; sleep 1; rm -rf "$root"';
  const shell = spawn("sh", ["-c", script, "sextant-clickhouse-watchdog", root, ...pids.map(String)], {
    stdio: ["pipe", "ignore", "ignore"],
  });
  shell.on("error", () => {});
  shell.stdin?.on("error", () => {});
  shell.unref();
  // The pipe is a socket handle in Node: unreferenced, as the process.
  (shell.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  let released = false;
  return {
    release() {
      if (released) return;
      released = true;
      shell.stdin?.end("stop\n");
    },
  };
}

/** Thrown when a server could not bind its ports: start() tries again with other ports. */
class PortTaken extends Error {}

/**
 * Three ports (http, tcp, interserver) that are free on every one of the hosts: the kernel picks
 * one for 127.0.0.1 (bind to port 0), and it is kept only when the other hosts can bind it too.
 */
async function freePorts(hosts: readonly string[]): Promise<Ports> {
  const picked: number[] = [];
  while (picked.length < 3) {
    const [first, ...others] = hosts;
    if (!first) throw new Error("no hosts");
    const port = await bindable(first, 0);
    if (port === null || picked.includes(port)) continue;
    let everywhere = true;
    for (const host of others) if ((await bindable(host, port)) === null) everywhere = false;
    if (everywhere) picked.push(port);
  }
  const [http, tcp, interserver] = picked as [number, number, number];
  return { http, tcp, interserver };
}

/** Binds host:port and releases it; the bound port, or null on EADDRINUSE. */
function bindable(host: string, port: number): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "EADDRINUSE") resolve(null);
      else reject(error);
    });
    server.listen({ host, port, exclusive: true }, () => {
      const address = server.address();
      const bound = typeof address === "object" && address ? address.port : null;
      server.close(() => resolve(bound));
    });
  });
}

function launch(
  binary: string,
  root: string,
  host: string,
  hosts: readonly string[],
  ports: Ports,
  cluster: string | null,
): Node {
  const dir = join(root, host);
  for (const sub of ["data", "tmp", "user_files", "format_schemas"])
    mkdirSync(join(dir, sub), { recursive: true });
  writeFileSync(join(dir, "users.xml"), USERS_XML);
  writeFileSync(join(dir, "config.xml"), configXml(dir, host, hosts, ports, cluster));
  const child = spawn(binary, [`--config-file=${join(dir, "config.xml")}`], {
    cwd: dir,
    stdio: ["ignore", "ignore", "pipe"],
  });
  running.add(child);
  const node: Node = { host, dir, url: `http://${host}:${ports.http}`, child, stderr: "", exited: false };
  child.stderr?.setEncoding("utf8");
  child.stderr?.on("data", (chunk: string) => {
    node.stderr = (node.stderr + chunk).slice(-4096);
  });
  child.once("exit", () => {
    node.exited = true;
    running.delete(child);
  });
  // A missing binary or exec failure: recorded, and waitReady reports it.
  child.once("error", (error) => {
    node.stderr += `\nspawn: ${error.message}`;
    node.exited = true;
    running.delete(child);
  });
  return node;
}

function xmlEscape(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function configXml(
  dir: string,
  host: string,
  hosts: readonly string[],
  ports: Ports,
  cluster: string | null,
): string {
  const path = (sub: string) => xmlEscape(`${join(dir, sub)}/`);
  // Every replica names a <default_database>: 18.16 treats a replica whose address is one of the
  // machine's interfaces and whose port is its own tcp_port as "local" and skips the network for
  // it. Node 2 (127.0.0.2) would take the 127.0.0.1 shard for itself, as the ports are shared; a
  // replica with a default database is never local, so every shard is reached over TCP.
  const remoteServers =
    cluster === null
      ? ""
      : `  <remote_servers>
    <${cluster}>
${hosts
  .map(
    (shardHost) => `      <shard>
        <replica>
          <host>${shardHost}</host>
          <port>${ports.tcp}</port>
          <default_database>default</default_database>
        </replica>
      </shard>`,
  )
  .join("\n")}
    </${cluster}>
  </remote_servers>
`;
  return `<?xml version="1.0"?>
<yandex>
  <logger>
    <level>warning</level>
    <log>${xmlEscape(join(dir, "server.log"))}</log>
    <errorlog>${xmlEscape(join(dir, "error.log"))}</errorlog>
  </logger>
  <listen_host>${host}</listen_host>
  <http_port>${ports.http}</http_port>
  <tcp_port>${ports.tcp}</tcp_port>
  <interserver_http_host>${host}</interserver_http_host>
  <interserver_http_port>${ports.interserver}</interserver_http_port>
  <path>${path("data")}</path>
  <tmp_path>${path("tmp")}</tmp_path>
  <user_files_path>${path("user_files")}</user_files_path>
  <format_schema_path>${path("format_schemas")}</format_schema_path>
  <users_config>${xmlEscape(join(dir, "users.xml"))}</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <timezone>UTC</timezone>
  <max_concurrent_queries>50</max_concurrent_queries>
  <mark_cache_size>67108864</mark_cache_size>
  <uncompressed_cache_size>67108864</uncompressed_cache_size>
${remoteServers}</yandex>
`;
}

/** The default user, no password, loopback only; the default profile of the test servers. */
const USERS_XML = `<?xml version="1.0"?>
<yandex>
  <profiles>
    <default>
      <max_memory_usage>2000000000</max_memory_usage>
      <use_uncompressed_cache>0</use_uncompressed_cache>
      <load_balancing>in_order</load_balancing>
    </default>
  </profiles>
  <users>
    <default>
      <password></password>
      <networks>
        <ip>127.0.0.0/8</ip>
        <ip>::1</ip>
      </networks>
      <profile>default</profile>
      <quota>default</quota>
    </default>
  </users>
  <quotas>
    <default>
      <interval>
        <duration>3600</duration>
        <queries>0</queries>
        <errors>0</errors>
        <result_rows>0</result_rows>
        <read_rows>0</read_rows>
        <execution_time>0</execution_time>
      </interval>
    </default>
  </quotas>
</yandex>
`;

/** Polls `SELECT 1` over HTTP until it answers; fails with the server's stderr and error log tail. */
async function waitReady(node: Node): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let lastFailure = "";
  while (Date.now() < deadline) {
    if (node.exited) {
      const detail = diagnostics(node);
      if (/Address already in use/i.test(detail)) throw new PortTaken(`${node.url}: port taken\n${detail}`);
      throw new Error(
        `clickhouse-server for ${node.url} exited (code ${node.child.exitCode}, signal ${node.child.signalCode}) before it was ready\n${detail}`,
      );
    }
    try {
      const { status, body } = await httpGet(`${node.url}/?query=${encodeURIComponent("SELECT 1")}`);
      if (status === 200 && body.trim() === "1") return;
      lastFailure = `HTTP ${status}: ${body.slice(0, 500)}`;
    } catch (error) {
      lastFailure = error instanceof Error ? error.message : String(error);
    }
    await sleep(100);
  }
  throw new Error(
    `clickhouse-server for ${node.url} not ready after ${READY_TIMEOUT_MS} ms (last: ${lastFailure})\n${diagnostics(node)}`,
  );
}

/**
 * One GET on a connection of its own, closed afterwards: the server waits for open keep-alive
 * connections when it shuts down (fetch would keep one open for seconds).
 */
function httpGet(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = get(url, { agent: false, timeout: 2_000 }, (response) => {
      let body = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => {
        body += chunk;
      });
      response.on("end", () => resolve({ status: response.statusCode ?? 0, body }));
      response.on("error", reject);
    });
    request.on("timeout", () => request.destroy(new Error("timed out")));
    request.on("error", reject);
  });
}

function diagnostics(node: Node): string {
  const errorLog = join(node.dir, "error.log");
  const tail = existsSync(errorLog)
    ? readFileSync(errorLog, "utf8").split("\n").slice(-40).join("\n")
    : "(none)";
  return `--- stderr (tail) ---\n${node.stderr.trim() || "(empty)"}\n--- ${errorLog} (tail) ---\n${tail}`;
}

async function stopNodes(nodes: readonly Node[]): Promise<void> {
  await Promise.all(nodes.map((node) => stopNode(node)));
}

async function stopNode(node: Node): Promise<void> {
  if (node.exited || node.child.exitCode !== null || node.child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => node.child.once("exit", () => resolve()));
  node.child.kill("SIGTERM");
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), STOP_TIMEOUT_MS);
  });
  const outcome = await Promise.race([exited, timeout]);
  clearTimeout(timer);
  if (outcome === "timeout") {
    node.child.kill("SIGKILL");
    await exited;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
