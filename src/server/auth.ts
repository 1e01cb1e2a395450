import type { FastifyRequest } from "fastify";
import { UserError } from "../errors.js";
import { type ApiKey, hashKey, type KeyKind } from "../model/keys.js";
import type { Store } from "../store/store.js";

/** True for an address of this machine (IPv4 or IPv6 loopback). */
export function isLoopback(ip: string | undefined): boolean {
  return ip !== undefined && /^(127\.|::1$|::ffff:127\.)/.test(ip);
}

/**
 * True for a request made on this machine and sent straight to us: the socket's peer is loopback
 * and no proxy forwarded it. Never `request.ip`, which `--trust-proxy` takes from X-Forwarded-For,
 * and a proxy on this machine would make every visitor's socket loopback (see docs/security.md).
 */
export function fromThisMachine(request: FastifyRequest): boolean {
  return (
    isLoopback(request.socket.remoteAddress) &&
    request.headers["x-forwarded-for"] === undefined &&
    request.headers.forwarded === undefined
  );
}

/** The secret a request carries: HTTP Basic user name (Segment), Bearer token, or a body `writeKey`. */
export function presentedKey(request: FastifyRequest, bodyKey?: string): string | undefined {
  const header = request.headers.authorization;
  if (header?.startsWith("Basic ")) {
    const decoded = Buffer.from(header.slice(6), "base64").toString("utf8");
    const user = decoded.includes(":") ? decoded.slice(0, decoded.indexOf(":")) : decoded;
    if (user) return user;
  }
  if (header?.startsWith("Bearer ")) return header.slice(7).trim() || undefined;
  return bodyKey;
}

/**
 * Finds keys by hash, remembering answers for a few seconds so that ingestion does not read the
 * store on every request; a revoked key stops working within that time.
 */
export class KeyResolver {
  private readonly cache = new Map<string, { key: ApiKey | null; until: number }>();

  constructor(
    private readonly store: Store,
    private readonly ttlMs = 5_000,
    /** "No such key" is remembered briefly, so a key created a moment later works at once. */
    private readonly unknownTtlMs = 1_000,
  ) {}

  /** The live key for this secret, of one of the kinds given. */
  async require(secret: string | undefined, kinds: readonly KeyKind[]): Promise<ApiKey> {
    if (!secret) {
      throw new UserError(
        kinds.includes("write")
          ? "A write key is required: send it as the HTTP Basic user name (Segment's convention) or as writeKey."
          : `${capitalized(keyWords(kinds))} is required: send it as Authorization: Bearer KEY.`,
        [{ field: "authorization", reason: "missing key" }],
        401,
      );
    }
    const key = await this.find(secret);
    if (!key)
      throw new UserError(
        "This key is unknown or revoked.",
        [{ field: "authorization", reason: "invalid key" }],
        401,
      );
    if (!kinds.includes(key.kind)) {
      throw new UserError(
        `This is ${keyWords([key.kind])}; this route needs ${keyWords(kinds)} (see docs/security.md).`,
        [{ field: "authorization", reason: `needs ${keyWords(kinds)}` }],
        403,
      );
    }
    return key;
  }

  /** The live key for this secret, of any kind, or null: from the cache when it is fresh. */
  async find(secret: string): Promise<ApiKey | null> {
    const hash = hashKey(secret);
    const now = Date.now();
    let entry = this.cache.get(hash);
    if (!entry || entry.until < now) {
      if (this.cache.size > 10_000) this.cache.clear();
      const key = await this.store.findKey(hash);
      entry = { key, until: now + (key ? this.ttlMs : this.unknownTtlMs) };
      this.cache.set(hash, entry);
    }
    return entry.key;
  }
}

/** A key sees its own workspace only: any other name is forbidden, whether it exists or not. */
export function checkWorkspace(key: Pick<ApiKey, "workspace">, requested: string | undefined): string {
  if (requested !== undefined && requested !== key.workspace) {
    throw new UserError(
      "This key belongs to another workspace.",
      [{ field: "workspace", reason: "forbidden" }],
      403,
    );
  }
  return key.workspace;
}

/** "a read or admin key", for messages. */
export function keyWords(kinds: readonly KeyKind[]): string {
  const article = kinds[0] === "import" || kinds[0] === "admin" ? "an" : "a";
  return `${article} ${kinds.join(" or ")} key`;
}

function capitalized(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
