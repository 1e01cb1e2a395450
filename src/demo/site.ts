import type { Random } from "./random.js";

/** The demo shop: pages, visitors' devices and countries, and how visitors arrive. */
export const SITE = "https://shop.example.com";
export const CURRENCY = "EUR";

export const PRODUCTS = [
  "/products/trail-runner",
  "/products/city-sneaker",
  "/products/wool-socks",
  "/products/rain-jacket",
  "/products/daypack-20l",
  "/products/water-bottle",
] as const;

export const POSTS = [
  "/blog/how-to-choose-running-shoes",
  "/blog/spring-trail-guide",
  "/blog/caring-for-merino-wool",
  "/blog/weekend-hike-packing-list",
] as const;

const BROWSE_PAGES: readonly (readonly [string, number])[] = [
  ...PRODUCTS.map((path) => [path, 8] as const),
  ...POSTS.map((path) => [path, 5] as const),
  ["/pricing", 12],
  ["/", 10],
];

export const DEVICES: readonly (readonly [string, number])[] = [
  ["desktop", 52],
  ["mobile", 40],
  ["tablet", 8],
];

export const COUNTRIES: readonly (readonly [string, number])[] = [
  ["FR", 34],
  ["DE", 20],
  ["GB", 14],
  ["US", 12],
  ["ES", 8],
  ["BE", 7],
  ["NL", 5],
];

/** utm_* values of a tagged link. */
export interface Utm {
  readonly source: string;
  readonly medium: string;
  readonly campaign: string;
  readonly content: string;
  readonly term: string;
}

/** A paid campaign's ad group, as the ad platform breaks spend down. */
export interface AdGroup {
  readonly name: string;
  readonly weight: number;
  readonly terms: readonly string[];
}

/** A paid campaign as the ad platform sees it (costs) and as its links are tagged (events). */
export interface PaidCampaign {
  readonly name: string;
  readonly source: string;
  readonly medium: string;
  /** Spellings of the campaign name found in tagged links, with their weights. */
  readonly spellings: readonly (readonly [string, number])[];
  readonly adGroups: readonly AdGroup[];
  readonly landings: readonly string[];
  readonly ctr: readonly [number, number];
  readonly cpc: readonly [number, number];
  /** Platform-reported conversions per real order (platforms over-claim). */
  readonly reportFactor: readonly [number, number];
}

export const PAID_CAMPAIGNS: readonly PaidCampaign[] = [
  {
    name: "Spring_Sale",
    source: "google",
    medium: "cpc",
    spellings: [
      ["Spring_Sale", 70],
      ["spring_sale", 30],
    ],
    adGroups: [
      { name: "running_shoes", weight: 65, terms: ["trail running shoes", "running shoes sale"] },
      { name: "accessories", weight: 35, terms: ["merino socks", "hiking daypack"] },
    ],
    landings: [...PRODUCTS.slice(0, 4), "/pricing"],
    ctr: [0.02, 0.035],
    cpc: [0.7, 1.3],
    reportFactor: [1.0, 1.3],
  },
  {
    name: "brand_search",
    source: "google",
    medium: "cpc",
    spellings: [["brand_search", 1]],
    adGroups: [
      { name: "brand_exact", weight: 70, terms: ["example shop", "shop example"] },
      { name: "brand_products", weight: 30, terms: ["example shop trail runner", "example shop socks"] },
    ],
    landings: ["/", "/", "/products/trail-runner"],
    ctr: [0.04, 0.05],
    cpc: [0.25, 0.5],
    reportFactor: [1.0, 1.2],
  },
  {
    name: "retargeting_q1",
    source: "facebook",
    medium: "paidsocial",
    spellings: [["retargeting_q1", 1]],
    adGroups: [
      { name: "cart_abandoners", weight: 40, terms: [] },
      { name: "past_visitors", weight: 60, terms: [] },
    ],
    landings: [...PRODUCTS, "/cart"],
    ctr: [0.01, 0.018],
    cpc: [0.4, 0.8],
    reportFactor: [1.3, 1.8],
  },
];

/** How one session reached the site. */
export interface Arrival {
  readonly referrer: string;
  readonly utm: Utm | null;
  readonly landing: string;
  /** Set for paid clicks: which cost row (campaign, ad group) the session belongs to. */
  readonly paid: { readonly campaign: string; readonly adGroup: string } | null;
}

/** A kind of traffic: how often it comes, who it brings and how they behave. */
export interface TrafficSource {
  readonly name: string;
  readonly weight: number;
  /** Share of sessions from visitors seen before. */
  readonly returning: number;
  /** Among returning sessions, share coming from existing customers. */
  readonly fromCustomers: number;
  readonly bounce: number;
  /** Multiplier on the base purchase probability. */
  readonly buy: number;
  readonly arrive: (random: Random) => Arrival;
}

/** A browsing page, weighted towards products. */
export function browsePage(random: Random): string {
  return random.weighted(BROWSE_PAGES);
}

function referred(referrers: readonly (readonly [string, number])[], landings: readonly string[]) {
  return (random: Random): Arrival => ({
    referrer: random.weighted(referrers),
    utm: null,
    landing: random.pick(landings),
    paid: null,
  });
}

/** A click on an ad of `campaign`: tagged landing page, and the cost row it counts towards. */
export function paidArrival(campaign: PaidCampaign, random: Random): Arrival {
  const group = random.weighted(campaign.adGroups.map((g) => [g, g.weight] as const));
  const utm: Utm = {
    source: campaign.source,
    medium: campaign.medium,
    campaign: random.weighted(campaign.spellings),
    content: group.name,
    term: group.terms.length > 0 ? random.pick(group.terms) : "",
  };
  const referrer = campaign.source === "google" ? "https://www.google.com/" : "https://m.facebook.com/";
  return {
    referrer,
    utm,
    landing: random.pick(campaign.landings),
    paid: { campaign: campaign.name, adGroup: group.name },
  };
}

function paid(index: number) {
  const campaign = PAID_CAMPAIGNS[index];
  if (campaign === undefined) throw new Error(`no paid campaign #${index}`);
  return (random: Random): Arrival => paidArrival(campaign, random);
}

/** The everyday traffic mix (newsletter visits come on top, driven by the e-mail sends). */
export const TRAFFIC_SOURCES: readonly TrafficSource[] = [
  {
    name: "organic_search",
    weight: 35,
    returning: 0.25,
    fromCustomers: 0.3,
    bounce: 0.42,
    buy: 1,
    arrive: referred(
      [
        ["https://www.google.com/", 82],
        ["https://www.bing.com/", 11],
        ["https://duckduckgo.com/", 7],
      ],
      ["/", "/", ...PRODUCTS, ...POSTS],
    ),
  },
  {
    name: "direct",
    weight: 21,
    returning: 0.55,
    fromCustomers: 0.45,
    bounce: 0.38,
    buy: 1.3,
    arrive: referred([["", 1]], ["/", "/", "/", "/cart", ...PRODUCTS.slice(0, 2)]),
  },
  {
    name: "paid_spring_sale",
    weight: 10,
    returning: 0.15,
    fromCustomers: 0.3,
    bounce: 0.45,
    buy: 1.2,
    arrive: paid(0),
  },
  {
    name: "paid_brand",
    weight: 5,
    returning: 0.45,
    fromCustomers: 0.45,
    bounce: 0.3,
    buy: 1.6,
    arrive: paid(1),
  },
  {
    name: "paid_retargeting",
    weight: 6,
    returning: 0.9,
    fromCustomers: 0.3,
    bounce: 0.4,
    buy: 1.4,
    arrive: paid(2),
  },
  {
    name: "social",
    weight: 9,
    returning: 0.2,
    fromCustomers: 0.3,
    bounce: 0.55,
    buy: 0.45,
    arrive: referred(
      [
        ["https://www.facebook.com/", 35],
        ["https://www.instagram.com/", 45],
        ["https://t.co/", 20],
      ],
      [...POSTS, ...PRODUCTS.slice(0, 3)],
    ),
  },
  {
    name: "referral",
    weight: 6,
    returning: 0.15,
    fromCustomers: 0.3,
    bounce: 0.5,
    buy: 0.5,
    arrive: referred(
      [
        ["https://news.ycombinator.com/", 40],
        ["https://blog.example.org/", 60],
      ],
      [...POSTS, "/"],
    ),
  },
];

const NEWSLETTER_LANDINGS = [...POSTS.slice(0, 2), ...PRODUCTS.slice(0, 4)];

/** Newsletter readers: mostly known visitors, engaged, buying more than average. */
export function newsletterSource(campaign: string): TrafficSource {
  return {
    name: "email",
    weight: 0,
    returning: 0.8,
    fromCustomers: 0.5,
    bounce: 0.33,
    buy: 1.6,
    arrive: (random) => ({
      referrer: "",
      utm: {
        source: "newsletter",
        medium: "email",
        campaign,
        content: random.weighted([
          ["hero", 55],
          ["product_grid", 35],
          ["footer", 10],
        ]),
        term: "",
      },
      landing: random.pick(NEWSLETTER_LANDINGS),
      paid: null,
    }),
  };
}
