import { UserError } from "../errors.js";

const EARLIEST = Date.parse("2000-01-01T00:00:00Z");
const MAX_FUTURE_MS = 24 * 3600 * 1000;

/**
 * The time of a message (docs/sending-events.md#segment): `timestamp`, else `originalTimestamp` corrected for the
 * client's clock skew with `sentAt` (Segment's rule: receivedAt − (sentAt − originalTimestamp)),
 * else the time it was received. Times before 2000 or more than a day ahead are refused.
 */
export function messageTime(
  message: {
    timestamp?: string | undefined;
    originalTimestamp?: string | undefined;
    sentAt?: string | undefined;
  },
  receivedAt: Date,
  field: string,
): Date {
  let time: number;
  if (message.timestamp !== undefined) time = Date.parse(message.timestamp);
  else if (message.originalTimestamp !== undefined) {
    const original = Date.parse(message.originalTimestamp);
    time =
      message.sentAt === undefined
        ? original
        : receivedAt.getTime() - (Date.parse(message.sentAt) - original);
  } else time = receivedAt.getTime();
  if (time < EARLIEST || time > receivedAt.getTime() + MAX_FUTURE_MS) {
    throw new UserError(
      `${field} ${new Date(time).toISOString()} is not a plausible event time (before 2000 or more than a day ahead).`,
      [{ field, reason: "implausible time" }],
    );
  }
  return new Date(time);
}
