import { describe, expect, it } from "vitest";
import { domainPattern, SEARCH_DOMAINS, SOCIAL_DOMAINS } from "./channels.js";

describe("referrer classes", () => {
  const search = new RegExp(domainPattern(SEARCH_DOMAINS));
  const social = new RegExp(domainPattern(SOCIAL_DOMAINS));

  it.each(["google.com", "google.fr", "google.co.uk", "bing.com", "duckduckgo.com", "search.yahoo.com"])(
    "%s is a search engine",
    (domain) => expect(search.test(domain)).toBe(true),
  );

  it.each(["l.facebook.com", "m.facebook.com", "t.co", "lnkd.in", "instagram.com"])(
    "%s is social",
    (domain) => expect(social.test(domain)).toBe(true),
  );

  it.each(["notgoogle.com", "google.example.org", "blog.example.org", "myt.co.uk"])(
    "%s is neither",
    (domain) => {
      expect(search.test(domain)).toBe(false);
      expect(social.test(domain)).toBe(false);
    },
  );
});
