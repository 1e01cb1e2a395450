import {
  domainPattern,
  EMAIL_MEDIUMS,
  PAID_MEDIUMS,
  SEARCH_DOMAINS,
  SOCIAL_DOMAINS,
  SOCIAL_MEDIUMS,
} from "../../model/channels.js";
import type { WorkspaceSettings } from "../../model/workspace.js";
import type { Dialect } from "../dialect.js";

/**
 * The SQL that derives the channel of an event (docs/concepts.md#campaign-keys-and-channels), were it the first of its session, from
 * the event's `utm_medium`, `referrer_domain` and `host` columns.
 */
export function channelExpr(d: Dialect, settings: WorkspaceSettings): string {
  const list = (values: readonly string[]) => values.map((v) => d.literal(v)).join(", ");
  const medium = "lower(utm_medium)";
  const own = settings.domains.map((domain) => domain.replace(/^www\./, ""));
  const internal = `(referrer_domain = host${own.length ? ` OR referrer_domain IN (${list(own)})` : ""})`;
  return `CASE
    WHEN ${medium} IN (${list(PAID_MEDIUMS)}) THEN 'paid'
    WHEN ${medium} IN (${list(EMAIL_MEDIUMS)}) THEN 'email'
    WHEN ${medium} IN (${list(SOCIAL_MEDIUMS)}) OR ${d.regexpMatches("referrer_domain", domainPattern(SOCIAL_DOMAINS))} THEN 'social'
    WHEN ${d.regexpMatches("referrer_domain", domainPattern(SEARCH_DOMAINS))} THEN 'organic_search'
    WHEN referrer_domain IS NOT NULL AND NOT coalesce(${internal}, ${d.literal(false)}) THEN 'referral'
    ELSE 'direct' END`;
}
