/**
 * Channel rules of docs/concepts.md#campaign-keys-and-channels, as data. A session's channel comes from its first event: paid and
 * e-mail by utm_medium; social by utm_medium or a social network referrer; organic search by a
 * search engine referrer; referral by any other external referrer; else direct.
 * Domain lists follow the referrer classes of Plausible and GA4 (default channel groups).
 */
export const PAID_MEDIUMS = ["cpc", "ppc", "paid", "paidsocial", "display", "cpm"] as const;
export const EMAIL_MEDIUMS = ["email", "newsletter"] as const;
export const SOCIAL_MEDIUMS = ["social"] as const;

/** Registrable domains of social networks (a referrer matches them or any subdomain). */
export const SOCIAL_DOMAINS = [
  "facebook.com",
  "fb.com",
  "fb.me",
  "messenger.com",
  "instagram.com",
  "threads.net",
  "twitter.com",
  "x.com",
  "t.co",
  "linkedin.com",
  "lnkd.in",
  "pinterest.com",
  "reddit.com",
  "tiktok.com",
  "youtube.com",
  "youtu.be",
  "snapchat.com",
  "tumblr.com",
  "vk.com",
  "bsky.app",
  "mastodon.social",
  "quora.com",
  "whatsapp.com",
  "telegram.org",
  "t.me",
  "xing.com",
] as const;

/** Search engines; `*` stands for any country suffix (google.fr, google.co.uk). */
export const SEARCH_DOMAINS = [
  "google.*",
  "bing.com",
  "duckduckgo.com",
  "yahoo.*",
  "search.yahoo.com",
  "baidu.com",
  "yandex.*",
  "ecosia.org",
  "qwant.com",
  "search.brave.com",
  "startpage.com",
  "ask.com",
  "naver.com",
  "seznam.cz",
  "sogou.com",
] as const;

export const CHANNELS = ["paid", "email", "social", "organic_search", "referral", "direct"] as const;
export type Channel = (typeof CHANNELS)[number];

/** A regular expression (RE2 and JavaScript compatible) matching a domain list and its subdomains. */
export function domainPattern(domains: readonly string[]): string {
  const alternatives = domains.map((domain) =>
    domain.replaceAll(".", "\\.").replace("\\.*", "\\.[a-z]{2,3}(\\.[a-z]{2})?"),
  );
  return `(^|\\.)(${alternatives.join("|")})$`;
}
