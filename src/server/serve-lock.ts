import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";

/** What a running `sextant serve` leaves beside its store so that other commands can reach it. */
export interface ServeLock {
  readonly pid: number;
  readonly port: number;
  readonly token: string;
}

function lockPath(dbPath: string): string {
  return `${dbPath}.serve.json`;
}

/** Writes the lock file, readable by this user only (the token lets commands act on the store). */
export function writeServeLock(dbPath: string, port: number, token: string): ServeLock {
  const lock = { pid: process.pid, port, token };
  writeFileSync(lockPath(dbPath), JSON.stringify(lock), { mode: 0o600 });
  return lock;
}

/** A fresh secret for the admin route of one server run. */
export function newAdminToken(): string {
  return randomBytes(24).toString("base64url");
}

export function removeServeLock(dbPath: string): void {
  rmSync(lockPath(dbPath), { force: true });
}

/** The lock of a live server for this store, if any (a stale file of a dead process is ignored). */
export function readServeLock(dbPath: string): ServeLock | null {
  const path = lockPath(dbPath);
  if (!existsSync(path)) return null;
  try {
    const lock = JSON.parse(readFileSync(path, "utf8")) as ServeLock;
    process.kill(lock.pid, 0);
    return lock;
  } catch {
    return null;
  }
}
