import { randomBytes } from "node:crypto";
import type { Attempt } from "../../delivery/retry.js";
import type { Store } from "../../store/store.js";

/** Document kind of the history of scheduled reports: one document per send (and its retries). */
export const DELIVERY_KIND = "report_delivery";

export type DeliveryStatus = "sending" | "sent" | "retrying" | "failed";

/**
 * One send of a scheduled report, as kept in the store. Its id is the claim: `SCHEDULE/FROM..TO`
 * for a scheduled periodic report (`SCHEDULE/as-of-D` for an audit), so that two `sextant serve`
 * processes on one ClickHouse store write the same document and only the one whose claim is read
 * back sends (see claimDelivery). Sends from `sextant report send` get an id of their own.
 */
export interface ReportDelivery {
  readonly schedule: string;
  readonly kind: "audit" | "periodic";
  readonly trigger: "schedule" | "manual";
  /** The day the report runs up to (a scheduled run: the day before the run, workspace time zone). */
  readonly as_of: string;
  /** The period the report covers; null until it is gathered. */
  readonly period: { readonly from: string; readonly to: string } | null;
  readonly recipients: readonly string[];
  readonly status: DeliveryStatus;
  readonly attempts: number;
  /** Rounds of immediate retries; a round that fails is followed by another after a pause. */
  readonly rounds: number;
  readonly error: string | null;
  readonly log: readonly Attempt[];
  /** The process (a random token) that holds the send; another process leaves it alone. */
  readonly claimed_by: string;
  readonly created_at: string;
  readonly updated_at: string;
  readonly sent_at: string | null;
  /** When a `retrying` send is tried again. */
  readonly next_attempt_at: string | null;
}

/** An entry of `sextant report history` and `GET /api/v1/reports/history`: a delivery and its id. */
export type DeliveryEntry = { readonly id: string } & Omit<
  ReportDelivery,
  "kind" | "rounds" | "log" | "claimed_by"
>;

export function toEntry(id: string, d: ReportDelivery): DeliveryEntry {
  const { kind: _kind, rounds: _rounds, log: _log, claimed_by: _claimedBy, ...entry } = d;
  return { id, ...entry };
}

export async function listDeliveries(
  store: Store,
  workspace: string,
): Promise<{ id: string; delivery: ReportDelivery }[]> {
  return (await store.listDocuments(workspace, DELIVERY_KIND)).map((d) => ({
    id: d.id,
    delivery: d.body as ReportDelivery,
  }));
}

/** The history of scheduled reports, newest first. */
export async function deliveryHistory(store: Store, workspace: string): Promise<DeliveryEntry[]> {
  return (await listDeliveries(store, workspace))
    .sort((a, b) =>
      a.delivery.created_at === b.delivery.created_at
        ? b.id.localeCompare(a.id)
        : b.delivery.created_at.localeCompare(a.delivery.created_at),
    )
    .map(({ id, delivery }) => toEntry(id, delivery));
}

/** A token naming this attempt to hold a send. */
export function claimToken(): string {
  return randomBytes(8).toString("hex");
}

/** A send left `sending` this long ago belongs to a process that died: another may take it over. */
export const STALE_CLAIM_MS = 15 * 60_000;

/**
 * Takes the send `id` for this process, or returns null when another holds it. The claim is a
 * write of the delivery document with our token, then — after `settleMs`, time for a claim that
 * another process wrote at the same moment to land — a read back: the store keeps the last version
 * written, so every process reads the same winner, and only the one whose token it is goes on.
 * `mayTake` says whether the document as it is now (absent, or retrying and due) may be taken.
 */
export async function claimDelivery(
  store: Store,
  workspace: string,
  id: string,
  claim: ReportDelivery,
  mayTake: (current: ReportDelivery | undefined) => boolean,
  settleMs: number,
): Promise<boolean> {
  const current = (await listDeliveries(store, workspace)).find((d) => d.id === id)?.delivery;
  if (!mayTake(current)) return false;
  await store.writeDocuments(workspace, [{ kind: DELIVERY_KIND, id, body: claim }]);
  if (settleMs > 0) await new Promise((resolve) => setTimeout(resolve, settleMs));
  const after = (await listDeliveries(store, workspace)).find((d) => d.id === id)?.delivery;
  return after?.claimed_by === claim.claimed_by;
}

export async function saveDelivery(
  store: Store,
  workspace: string,
  id: string,
  delivery: ReportDelivery,
): Promise<void> {
  await store.writeDocuments(workspace, [{ kind: DELIVERY_KIND, id, body: delivery }]);
}
