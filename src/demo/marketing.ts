import { type DemoRange, dayStart, formatDate, isoWeek, isWeekend, weekday } from "./calendar.js";
import type { Random } from "./random.js";
import { CURRENCY, PAID_CAMPAIGNS, type PaidCampaign } from "./site.js";

export type Row = Record<string, string>;

/** One newsletter send: its e-mail row and the unique clicks that bring visitors to the site. */
export interface Newsletter {
  readonly dayIndex: number;
  readonly campaign: string;
  readonly clicks: number;
}

/** What ad clicks did on the site, per day, campaign and ad group (`paidKey`). */
export interface PaidTally {
  sessions: number;
  orders: number;
}

const TUESDAY = 2;

/** The tally key of a paid campaign's ad group on one day. */
export function paidKey(dayIndex: number, campaign: string, adGroup: string): string {
  return `${dayIndex}|${campaign}|${adGroup}`;
}

/** One weekly newsletter every Tuesday of the range, named `newsletter_wNN` by ISO week. */
export function generateNewsletters(range: DemoRange, random: Random): { rows: Row[]; sends: Newsletter[] } {
  const rows: Row[] = [];
  const sends: Newsletter[] = [];
  for (let index = 0; index < range.days; index++) {
    const day = dayStart(range, index);
    if (weekday(day) !== TUESDAY) continue;
    const campaign = `newsletter_w${String(isoWeek(day)).padStart(2, "0")}`;
    const row = newsletterRow(formatDate(day), campaign, 4800 + index * 3, random);
    rows.push(row);
    sends.push({ dayIndex: index, campaign, clicks: Number(row.clicks) });
  }
  return { rows, sends };
}

function newsletterRow(date: string, campaign: string, audience: number, random: Random): Row {
  const sent = Math.round(random.normal(audience, 60));
  const delivered = Math.round(sent * random.float(0.965, 0.982));
  return {
    date,
    campaign,
    sent: String(sent),
    delivered: String(delivered),
    opens: String(Math.round(sent * random.float(0.2, 0.35))),
    clicks: String(Math.round(sent * random.float(0.02, 0.05))),
    unsubscribes: String(random.int(3, 18)),
    bounces: String(sent - delivered),
  };
}

interface Network {
  readonly name: string;
  readonly followers: number;
  readonly posts: (random: Random, weekend: boolean) => number;
  readonly reachPerPost: readonly [number, number];
  readonly interactionRate: readonly [number, number];
  readonly maxMentions: number;
}

const NETWORKS: readonly Network[] = [
  {
    name: "instagram",
    followers: 4800,
    posts: (random) =>
      random.weighted([
        [0, 30],
        [1, 45],
        [2, 20],
        [3, 5],
      ] as const),
    reachPerPost: [900, 1600],
    interactionRate: [0.03, 0.06],
    maxMentions: 8,
  },
  {
    name: "linkedin",
    followers: 1900,
    posts: (random, weekend) =>
      weekend
        ? random.weighted([
            [0, 85],
            [1, 15],
          ] as const)
        : random.weighted([
            [0, 35],
            [1, 50],
            [2, 15],
          ] as const),
    reachPerPost: [500, 1100],
    interactionRate: [0.015, 0.03],
    maxMentions: 4,
  },
];

/** Daily rows for instagram and linkedin with a slowly growing follower count. */
export function generateSocial(range: DemoRange, random: Random): Row[] {
  const rows: Row[] = [];
  const followers = NETWORKS.map((network) => network.followers + random.int(0, 200));
  for (let index = 0; index < range.days; index++) {
    const day = dayStart(range, index);
    NETWORKS.forEach((network, n) => {
      const posts = network.posts(random, isWeekend(day));
      const count = (followers[n] ?? 0) + random.int(-2, 8) + posts * random.int(2, 9);
      followers[n] = count;
      rows.push(socialRow(formatDate(day), network, posts, count, random));
    });
  }
  return rows;
}

function socialRow(date: string, network: Network, posts: number, followers: number, random: Random): Row {
  const reach = random.int(250, 600) + posts * random.int(...network.reachPerPost);
  const impressions = Math.round(reach * random.float(1.4, 1.9));
  return {
    date,
    network: network.name,
    posts: String(posts),
    reach: String(reach),
    impressions: String(impressions),
    interactions: String(Math.round(impressions * random.float(...network.interactionRate))),
    mentions: String(random.int(0, network.maxMentions)),
    followers: String(followers),
  };
}

/** Daily ad cost rows per paid campaign and ad group, consistent with the clicks seen on the site. */
export function generateCosts(
  range: DemoRange,
  tallies: ReadonlyMap<string, PaidTally>,
  random: Random,
): Row[] {
  const rows: Row[] = [];
  for (let index = 0; index < range.days; index++) {
    const date = formatDate(dayStart(range, index));
    for (const campaign of PAID_CAMPAIGNS) {
      for (const group of campaign.adGroups) {
        const tally = tallies.get(paidKey(index, campaign.name, group.name)) ?? { sessions: 0, orders: 0 };
        rows.push(costRow(date, campaign, group.name, tally, random));
      }
    }
  }
  return rows;
}

function costRow(
  date: string,
  campaign: PaidCampaign,
  adGroup: string,
  tally: PaidTally,
  random: Random,
): Row {
  // Platforms count more clicks than sites see sessions (blocked trackers, double clicks).
  const clicks = Math.round(tally.sessions * random.float(1.05, 1.3)) + random.int(0, 2);
  const impressions = Math.round(Math.max(clicks, 3) / random.float(...campaign.ctr));
  const spend = clicks * random.float(...campaign.cpc);
  const conversions = Math.round(tally.orders * random.float(...campaign.reportFactor));
  return {
    date,
    campaign: campaign.name,
    channel: "paid",
    spend: spend.toFixed(2),
    impressions: String(impressions),
    clicks: String(clicks),
    conversions: String(conversions),
    currency: CURRENCY,
    ad_group: adGroup,
  };
}
