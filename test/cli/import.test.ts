import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CliSandbox, expectClose, expectSummary, rowWhere } from "./run-cli.js";

/** Realistic exports: only the required columns plus what such a file usually carries. */
const EVENTS_CSV = `timestamp,event,visitor_id,user_id,url,referrer,revenue,order_id,plan
2026-03-02T09:00:00Z,pageview,v1,,https://shop.example/,https://www.google.com/,,,free
2026-03-02T09:02:00Z,pageview,v1,,https://shop.example/pricing,,,,free
2026-03-02T09:05:00Z,Signed Up,v1,u1,,,,,free
2026-03-03T10:00:00Z,pageview,v2,,https://shop.example/?utm_source=newsletter&utm_medium=email&utm_campaign=March,,,,pro
2026-03-03T10:10:00Z,Order Completed,v2,,,,99.5,A-1,pro
`;

const COSTS_CSV = `date,campaign,channel,spend,impressions,clicks,conversions
2026-03-02,Spring Sale,paid,120.50,10000,250,12
2026-03-03,Spring Sale,paid,80,8000,150,5
2026-03-03,Brand,paid,20,2000,40,1
`;

const EMAIL_CSV = `date,campaign,sent,delivered,opens,clicks,unsubscribes,bounces
2026-03-02,March Newsletter,1000,980,250,40,3,20
2026-03-09,Promo,500,490,100,25,1,10
`;

const SOCIAL_CSV = `date,network,posts,reach,impressions,interactions,mentions,followers
2026-03-02,Instagram,2,5000,7000,300,4,1200
2026-03-05,Instagram,1,3000,4000,150,2,1210
2026-03-05,LinkedIn,1,1000,1500,50,1,800
`;

const ORDERS_CSV = `timestamp,order_id,customer_id,revenue,currency
2026-03-04T12:00:00Z,B-1,c1,50,EUR
2026-03-05T12:00:00Z,B-2,c2,30.25,EUR
2026-03-06T12:00:00Z,B-3,c1,19.75,EUR
`;

describe("sextant import KIND FILE.csv: one file of each kind", () => {
  let cli: CliSandbox;
  beforeAll(async () => {
    cli = await CliSandbox.create();
    await cli.ok(["workspace", "create", "shop"]);
  });
  afterAll(async () => {
    await cli.cleanup();
  });

  it("imports events: page views, conversions, an order; extra columns become properties", async () => {
    const out = await cli.ok(["import", "events", await cli.file("events.csv", EVENTS_CSV)]);
    expectSummary(out, { read: 5, stored: 5, rejected: 0 });
    const kpis = await cli.kpi([
      "--kpis",
      "pageviews,visitors,sessions,conversions,leads,orders,revenue",
      "--from",
      "2026-03-02",
      "--to",
      "2026-03-03",
    ]);
    expect(kpis.totals).toEqual({
      pageviews: 3,
      visitors: 2,
      sessions: 2,
      conversions: 2,
      leads: 1,
      orders: 1,
      revenue: 99.5,
    });
    const byPlan = await cli.kpi(["--kpis", "pageviews", "--group-by", "props.plan", "--to", "2026-03-03"]);
    expect(rowWhere(byPlan, "props.plan", "free").pageviews).toBe(2);
    expect(rowWhere(byPlan, "props.plan", "pro").pageviews).toBe(1);
    const byMedium = await cli.kpi(["--kpis", "sessions", "--group-by", "utm_medium", "--to", "2026-03-03"]);
    expect(rowWhere(byMedium, "utm_medium", "email").sessions).toBe(1);
  });

  it("imports ad costs", async () => {
    const out = await cli.ok(["import", "costs", await cli.file("costs.csv", COSTS_CSV)]);
    expectSummary(out, { read: 3, stored: 3, rejected: 0 });
    const { totals } = await cli.kpi(["--kpis", "spend,impressions,clicks,ad_conversions,ctr,cpc,cpm"]);
    expectClose(totals.spend, 220.5);
    expect(totals.impressions).toBe(20000);
    expect(totals.clicks).toBe(440);
    expect(totals.ad_conversions).toBe(18);
    expectClose(totals.ctr, 2.2);
    expectClose(totals.cpc, 220.5 / 440);
    expectClose(totals.cpm, 11.025);
    const byCampaign = await cli.kpi(["--kpis", "spend", "--group-by", "campaign"]);
    expectClose(rowWhere(byCampaign, "campaign", "spring sale").spend, 200.5);
    expectClose(rowWhere(byCampaign, "campaign", "brand").spend, 20);
  });

  it("imports e-mail campaigns", async () => {
    const out = await cli.ok(["import", "email", await cli.file("email.csv", EMAIL_CSV)]);
    expectSummary(out, { read: 2, stored: 2, rejected: 0 });
    const { totals } = await cli.kpi([
      "--kpis",
      "emails_sent,emails_delivered,email_opens,email_clicks,unsubscribes,open_rate,click_rate,click_to_open_rate",
    ]);
    expect(totals).toMatchObject({
      emails_sent: 1500,
      emails_delivered: 1470,
      email_opens: 350,
      email_clicks: 65,
      unsubscribes: 4,
    });
    expectClose(totals.open_rate, (350 / 1500) * 100);
    expectClose(totals.click_rate, (65 / 1500) * 100);
    expectClose(totals.click_to_open_rate, (65 / 350) * 100);
  });

  it("imports social metrics", async () => {
    const out = await cli.ok(["import", "social", await cli.file("social.csv", SOCIAL_CSV)]);
    expectSummary(out, { read: 3, stored: 3, rejected: 0 });
    const { totals } = await cli.kpi([
      "--kpis",
      "posts,social_reach,social_impressions,social_interactions,mentions,followers,engagement_rate",
    ]);
    expect(totals).toEqual({
      posts: 4,
      social_reach: 9000,
      social_impressions: 12500,
      social_interactions: 500,
      mentions: 7,
      followers: 1210 + 800,
      engagement_rate: 125,
    });
  });

  it("imports orders", async () => {
    const out = await cli.ok(["import", "orders", await cli.file("orders.csv", ORDERS_CSV)]);
    expectSummary(out, { read: 3, stored: 3, rejected: 0 });
    const { totals } = await cli.kpi([
      "--kpis",
      "orders,revenue,customers,aov",
      "--from",
      "2026-03-04",
      "--to",
      "2026-03-06",
    ]);
    expect(totals.orders).toBe(3);
    expectClose(totals.revenue, 100);
    expect(totals.customers).toBe(2);
    expectClose(totals.aov, 100 / 3);
  });

  it("imports every kind with only its required columns", async () => {
    const minimal: Record<string, string> = {
      events: "timestamp,event,visitor_id\n2026-04-01T08:00:00Z,pageview,m1\n",
      costs: "date,campaign,spend\n2026-04-01,minimal,5\n",
      email: "date,campaign,sent\n2026-04-01,minimal,10\n",
      social: "date,network\n2026-04-01,Mastodon\n",
      orders: "timestamp,order_id,customer_id,revenue\n2026-04-01T08:30:00Z,M-1,m1,7\n",
    };
    for (const [kind, content] of Object.entries(minimal)) {
      const out = await cli.ok(["import", kind, await cli.file(`minimal-${kind}.csv`, content)]);
      expectSummary(out, { read: 1, stored: 1, rejected: 0 });
    }
    const { totals } = await cli.kpi([
      "--kpis",
      "pageviews,spend,emails_sent,orders,revenue",
      "--from",
      "2026-04-01",
      "--to",
      "2026-04-01",
    ]);
    expect(totals).toEqual({ pageviews: 1, spend: 5, emails_sent: 10, orders: 1, revenue: 7 });
  });

  it("reads a UTF-8 BOM and CRLF line ends", async () => {
    const file = await cli.file(
      "bom.csv",
      "\uFEFFdate,campaign,channel,currency,spend\r\n2026-04-02,bom,paid,EUR,3\r\n2026-04-03,bom,paid,EUR,4\r\n",
    );
    expectSummary(await cli.ok(["import", "costs", file]), { read: 2, stored: 2, rejected: 0 });
    const { totals } = await cli.kpi(["--kpis", "spend", "--from", "2026-04-02", "--to", "2026-04-03"]);
    expect(totals.spend).toBe(7);
  });
});

describe("sextant --memory-limit", () => {
  let cli: CliSandbox;
  beforeAll(async () => {
    cli = await CliSandbox.create();
    await cli.ok(["workspace", "create", "shop"]);
  });
  afterAll(async () => {
    await cli.cleanup();
  });

  it("imports within the limit of --memory-limit or SEXTANT_MEMORY_LIMIT, and refuses one that is not a size", async () => {
    const file = await cli.file(
      "limited.csv",
      "timestamp,event,visitor_id\n2026-03-04T09:00:00Z,pageview,v9\n",
    );
    // With the opt-in storage knobs too (docs/operations.md); the next import opens without them.
    const knobs = { SEXTANT_DUCKDB_ROW_GROUP_SIZE: "8192", SEXTANT_DUCKDB_CHECKPOINT_THRESHOLD: "2MiB" };
    expectSummary(await cli.ok(["--memory-limit", "256MB", "import", "events", file], { env: knobs }), {
      read: 1,
      stored: 1,
      rejected: 0,
    });
    expectSummary(await cli.ok(["import", "events", file], { env: { SEXTANT_MEMORY_LIMIT: "300MiB" } }), {
      read: 1,
      stored: 0,
      rejected: 0,
      alreadyStored: 1,
    });
    expect(await cli.fails(["--memory-limit", "lots", "import", "events", file])).toMatch(
      /--memory-limit "lots" is not a memory size: write it like 4GB/,
    );
    expect(await cli.fails(["workspace", "list"], { env: { SEXTANT_MEMORY_LIMIT: "80%" } })).toMatch(
      /SEXTANT_MEMORY_LIMIT "80%" is not a memory size/,
    );
    expect(
      await cli.fails(["workspace", "list"], { env: { SEXTANT_DUCKDB_ROW_GROUP_SIZE: "5000" } }),
    ).toMatch(/SEXTANT_DUCKDB_ROW_GROUP_SIZE "5000" is not a whole multiple of 2048 rows/);
  });
});

/** Segment messages as `analytics-node` or a warehouse export writes them, one per line. */
const SEGMENT_JSONL = [
  {
    type: "page",
    anonymousId: "anon-1",
    messageId: "m-1",
    timestamp: "2026-03-02T09:00:00.000Z",
    context: {
      page: {
        url: "https://shop.example/landing?utm_source=google&utm_medium=cpc&utm_campaign=Spring_Sale",
        referrer: "https://www.google.com/",
      },
    },
    properties: { title: "Landing" },
  },
  {
    type: "identify",
    anonymousId: "anon-1",
    userId: "user-1",
    messageId: "m-2",
    timestamp: "2026-03-02T09:01:00.000Z",
    traits: { email: "ada@example.com" },
  },
  {
    type: "track",
    anonymousId: "anon-1",
    userId: "user-1",
    event: "Order Completed",
    messageId: "m-3",
    timestamp: "2026-03-02T09:05:00.000Z",
    properties: { order_id: "ord-1", revenue: 42.5, currency: "EUR" },
  },
  {
    type: "page",
    anonymousId: "anon-2",
    messageId: "m-4",
    timestamp: "2026-03-03T10:00:00.000Z",
    properties: { url: "https://shop.example/?utm_source=newsletter&utm_medium=email&utm_campaign=Autumn" },
  },
]
  .map((m) => JSON.stringify(m))
  .join("\n");

const ORDERS_JSONL = `{"timestamp":"2026-03-10T12:00:00Z","order_id":"J-1","customer_id":"c9","revenue":10,"campaign":"Autumn"}
{"timestamp":"2026-03-11T12:00:00+01:00","order_id":"J-2","customer_id":"c9","revenue":"7.25","currency":"EUR"}
`;

describe("sextant import FILE.jsonl", () => {
  let cli: CliSandbox;
  beforeAll(async () => {
    cli = await CliSandbox.create();
    await cli.ok(["workspace", "create", "shop"]);
  });
  afterAll(async () => {
    await cli.cleanup();
  });

  it("imports Segment messages: page views with UTM tags in the URL, an order from a track call", async () => {
    const out = await cli.ok(["import", "events", await cli.file("segment.jsonl", `${SEGMENT_JSONL}\n`)]);
    expectSummary(out, { read: 4, stored: 4, rejected: 0 });
    const { totals } = await cli.kpi([
      "--kpis",
      "pageviews,conversions,orders,revenue",
      "--to",
      "2026-03-03",
    ]);
    expect(totals).toEqual({ pageviews: 2, conversions: 1, orders: 1, revenue: 42.5 });
    const bySource = await cli.kpi(["--kpis", "pageviews", "--group-by", "utm_source", "--to", "2026-03-03"]);
    expect(rowWhere(bySource, "utm_source", "google").pageviews).toBe(1);
    expect(rowWhere(bySource, "utm_source", "newsletter").pageviews).toBe(1);
    const byCampaign = await cli.kpi(["--kpis", "pageviews", "--group-by", "campaign", "--to", "2026-03-03"]);
    expect(rowWhere(byCampaign, "campaign", "spring_sale").pageviews).toBe(1);
    expect(rowWhere(byCampaign, "campaign", "autumn").pageviews).toBe(1);
    const byChannel = await cli.kpi(["--kpis", "sessions", "--group-by", "channel", "--to", "2026-03-03"]);
    expect(rowWhere(byChannel, "channel", "paid").sessions).toBeGreaterThanOrEqual(1);
    expect(rowWhere(byChannel, "channel", "email").sessions).toBe(1);
  });

  it("identify links the anonymous visitor to the user: the order goes to the campaign that brought them", async () => {
    // anon-1 arrived from Spring_Sale, was identified as user-1, and user-1 ordered (docs/sending-events.md#segment, docs/concepts.md#kpis).
    const byCampaign = await cli.kpi([
      "--kpis",
      "orders,revenue",
      "--group-by",
      "campaign",
      "--to",
      "2026-03-03",
    ]);
    expect(rowWhere(byCampaign, "campaign", "spring_sale").revenue).toBe(42.5);
    expect(byCampaign.totals.revenue).toBe(42.5);
  });

  it("imports a JSON Lines orders file (numbers or numeric strings, with or without an offset)", async () => {
    const out = await cli.ok(["import", "orders", await cli.file("orders.jsonl", ORDERS_JSONL)]);
    expectSummary(out, { read: 2, stored: 2, rejected: 0 });
    const result = await cli.kpi([
      "--kpis",
      "orders,revenue,customers",
      "--from",
      "2026-03-10",
      "--to",
      "2026-03-11",
      "--group-by",
      "campaign",
    ]);
    expect(result.totals).toEqual({ orders: 2, revenue: 17.25, customers: 1 });
    expect(rowWhere(result, "campaign", "autumn").revenue).toBe(10);
  });
});

describe("sextant import --skip-invalid", () => {
  let cli: CliSandbox;
  beforeAll(async () => {
    cli = await CliSandbox.create();
    await cli.ok(["workspace", "create", "shop"]);
  });
  afterAll(async () => {
    await cli.cleanup();
  });

  it("stores the good rows, lists every bad row with its line and reason, exits 0", async () => {
    const file = await cli.file(
      "costs.csv",
      [
        "date,campaign,channel,currency,spend,clicks",
        "2026-03-02,good one,paid,EUR,10,5", // line 2
        "2026-03-02,bad spend,paid,EUR,ten,5", // line 3
        "2026-03-03,good two,paid,EUR,2.5,1", // line 4
        "2026-03-03,,paid,EUR,1,1", // line 5: no campaign
        "03/04/2026,bad date,paid,EUR,1,1", // line 6
        "2026-03-04,negative,paid,EUR,1,-2", // line 7
        "",
      ].join("\n"),
    );
    const result = await cli.run(["import", "costs", file, "--skip-invalid"]);
    expect(result.code, result.stderr).toBe(0);
    expectSummary(result.stdout, { read: 6, stored: 2, rejected: 4 });
    const listed = new Map(
      [...result.stdout.matchAll(/line (\d+): (.+)/gi)].map((m) => [Number(m[1]), m[2] ?? ""]),
    );
    expect([...listed.keys()].sort((a, b) => a - b)).toEqual([3, 5, 6, 7]);
    expect(listed.get(3)).toMatch(/spend/);
    expect(listed.get(3)).toMatch(/not a number/i);
    expect(listed.get(5)).toMatch(/campaign/);
    expect(listed.get(5)).toMatch(/missing/i);
    expect(listed.get(6)).toMatch(/date/);
    expect(listed.get(6)).toContain("03/04/2026");
    expect(listed.get(7)).toMatch(/clicks/);
    expect(listed.get(7)).toMatch(/negative/i);
    const { totals } = await cli.kpi(["--kpis", "spend,clicks"]);
    expect(totals).toEqual({ spend: 12.5, clicks: 6 });
  });

  it("lists malformed JSON Lines and stores the others", async () => {
    const file = await cli.file(
      "orders.jsonl",
      [
        '{"timestamp":"2026-03-05T10:00:00Z","order_id":"S-1","customer_id":"c1","revenue":20}',
        '{"timestamp":"2026-03-05T11:00:00Z","order_id":"S-2",',
        '{"timestamp":"2026-03-05T12:00:00Z","order_id":"S-3","customer_id":"c2","revenue":"abc"}',
        '{"timestamp":"2026-03-05T13:00:00Z","order_id":"S-4","customer_id":"c3","revenue":5}',
        "",
      ].join("\n"),
    );
    const result = await cli.run(["import", "orders", file, "--skip-invalid"]);
    expect(result.code, result.stderr).toBe(0);
    expectSummary(result.stdout, { read: 4, stored: 2, rejected: 2 });
    expect(result.stdout).toMatch(/line 2: .*JSON/i);
    expect(result.stdout).toMatch(/line 3: .*revenue/i);
    const { totals } = await cli.kpi([
      "--kpis",
      "orders,revenue",
      "--from",
      "2026-03-05",
      "--to",
      "2026-03-05",
    ]);
    expect(totals).toEqual({ orders: 2, revenue: 25 });
  });
});

describe("re-importing the same file changes nothing (docs/importing.md#importing-again-is-safe-idempotence)", () => {
  let cli: CliSandbox;
  const KPIS =
    "spend,impressions,clicks,emails_sent,email_opens,posts,social_reach,orders,revenue,pageviews,visitors";
  const files: Record<string, string> = {};
  beforeAll(async () => {
    cli = await CliSandbox.create();
    await cli.ok(["workspace", "create", "shop"]);
    files.costs = await cli.file("costs.csv", COSTS_CSV);
    files.email = await cli.file("email.csv", EMAIL_CSV);
    files.social = await cli.file("social.csv", SOCIAL_CSV);
    files.orders = await cli.file("orders.csv", ORDERS_CSV);
    files.events = await cli.file("events.csv", EVENTS_CSV);
    files.segment = await cli.file("segment.jsonl", SEGMENT_JSONL);
  });
  afterAll(async () => {
    await cli.cleanup();
  });

  const expectedAfterOnce = {
    spend: 220.5,
    impressions: 20000,
    clicks: 440,
    emails_sent: 1500,
    email_opens: 350,
    posts: 4,
    social_reach: 9000,
    orders: 3 + 1 + 1, // orders.csv, Order Completed in events.csv and in segment.jsonl
    revenue: 100 + 99.5 + 42.5,
    pageviews: 3 + 2,
  };

  it("imports each file once", async () => {
    for (const kind of ["costs", "email", "social", "orders", "events"]) {
      await cli.ok(["import", kind, files[kind] ?? ""]);
    }
    await cli.ok(["import", "events", files.segment ?? ""]);
    const { totals } = await cli.kpi(["--kpis", KPIS]);
    expect(totals).toMatchObject(expectedAfterOnce);
  });

  it("a second import of each file reports replaced or already-stored rows and leaves every KPI unchanged", async () => {
    const before = await cli.kpi(["--kpis", KPIS]);
    expectSummary(await cli.ok(["import", "costs", files.costs ?? ""]), {
      read: 3,
      stored: 3,
      rejected: 0,
      replaced: 3,
    });
    expectSummary(await cli.ok(["import", "email", files.email ?? ""]), {
      read: 2,
      stored: 2,
      rejected: 0,
      replaced: 2,
    });
    expectSummary(await cli.ok(["import", "social", files.social ?? ""]), {
      read: 3,
      stored: 3,
      rejected: 0,
      replaced: 3,
    });
    expectSummary(await cli.ok(["import", "orders", files.orders ?? ""]), {
      read: 3,
      stored: 0,
      rejected: 0,
      alreadyStored: 3,
    });
    expectSummary(await cli.ok(["import", "events", files.events ?? ""]), {
      read: 5,
      stored: 0,
      rejected: 0,
      alreadyStored: 5,
    });
    expectSummary(await cli.ok(["import", "events", files.segment ?? ""]), {
      read: 4,
      stored: 0,
      rejected: 0,
      alreadyStored: 4,
    });
    const after = await cli.kpi(["--kpis", KPIS]);
    expect(after).toEqual(before);
    expect(after.totals).toMatchObject(expectedAfterOnce);
  });

  it("a costs row re-imported with a new spend replaces the old one (campaign matched as a key)", async () => {
    const changed = await cli.file(
      "costs-fix.csv",
      "date,campaign,channel,spend,impressions,clicks,conversions\n2026-03-02, spring sale ,paid,200,10000,250,12\n",
    );
    expectSummary(await cli.ok(["import", "costs", changed]), {
      read: 1,
      stored: 1,
      rejected: 0,
      replaced: 1,
    });
    const { totals } = await cli.kpi(["--kpis", "spend,impressions,clicks"]);
    expectClose(totals.spend, 220.5 - 120.5 + 200);
    expect(totals.impressions).toBe(20000);
    expect(totals.clicks).toBe(440);
    const byDay = await cli.kpi(["--kpis", "spend", "--from", "2026-03-02", "--to", "2026-03-02"]);
    expect(byDay.totals.spend).toBe(200);
  });
});
