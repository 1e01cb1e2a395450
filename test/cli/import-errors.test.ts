import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CliResult, CliSandbox, expectUserError, linesNamed } from "./run-cli.js";

/**
 * Every way an import can go wrong (docs/importing.md#errors-all-or-nothing): the command fails with a non-zero exit code and a
 * sentence naming the line and the reason, and nothing of the file is stored. Each case uses its
 * own day, so "nothing stored" is checked on that day alone.
 */
describe("sextant import: errors stop the import and store nothing", () => {
  let cli: CliSandbox;
  beforeAll(async () => {
    cli = await CliSandbox.create();
    await cli.ok(["workspace", "create", "shop"]);
  });
  afterAll(async () => {
    await cli.cleanup();
  });

  const ALL_FACTS =
    "spend,impressions,clicks,emails_sent,posts,social_reach,orders,revenue,pageviews,visitors";

  async function expectNothingStored(day: string): Promise<void> {
    const { totals } = await cli.kpi(["--kpis", ALL_FACTS, "--from", day, "--to", day]);
    for (const [kpi, value] of Object.entries(totals)) expect(value, `${kpi} on ${day}`).toBe(0);
  }

  /** The failure names `line` first (the first bad line) and matches every reason pattern. */
  function expectLineError(result: CliResult, line: number, ...reasons: RegExp[]): void {
    expectUserError(result);
    expect(linesNamed(result.stderr)[0], `first line named in: ${result.stderr}`).toBe(line);
    for (const reason of reasons) expect(result.stderr).toMatch(reason);
  }

  async function importing(kind: string, name: string, content: string, ...flags: string[]) {
    return cli.run(["import", kind, await cli.file(name, content), ...flags]);
  }

  it("a missing required column: line 1, names the column, suggests --map", async () => {
    const result = await importing(
      "costs",
      "no-spend.csv",
      "date,campaign,clicks\n2026-01-01,a,3\n2026-01-01,b,4\n",
    );
    expectLineError(result, 1, /\bspend\b/, /--map/);
    await expectNothingStored("2026-01-01");
  });

  it("a missing value in a required field", async () => {
    const result = await importing(
      "costs",
      "no-campaign.csv",
      "date,campaign,spend\n2026-01-02,a,1\n2026-01-02,a,2\n2026-01-02,  ,3\n",
    );
    expectLineError(result, 4, /\bcampaign\b/, /missing|empty|required/i);
    await expectNothingStored("2026-01-02");
  });

  it("an unparseable number", async () => {
    const result = await importing(
      "email",
      "bad-number.csv",
      "date,campaign,sent,opens\n2026-01-03,news,1000,12\n2026-01-03,promo,1.000.000,3\n",
    );
    expectLineError(result, 3, /\bsent\b/, /1\.000\.000/, /not a number/i);
    await expectNothingStored("2026-01-03");
  });

  it("an unparseable date", async () => {
    const result = await importing(
      "social",
      "bad-date.csv",
      "date,network,posts\n2026-01-04,instagram,1\n2026-02-30,instagram,1\n",
    );
    expectLineError(result, 3, /\bdate\b/, /2026-02-30/);
    await expectNothingStored("2026-01-04");
  });

  it("an unparseable timestamp", async () => {
    const result = await importing(
      "orders",
      "bad-timestamp.csv",
      "timestamp,order_id,customer_id,revenue\n2026-01-05T10:00:00Z,E-1,c1,5\n2026-01-05 25:61,E-2,c2,5\n",
    );
    expectLineError(result, 3, /\btimestamp\b/, /2026-01-05 25:61/);
    await expectNothingStored("2026-01-05");
  });

  it("a negative count", async () => {
    const result = await importing(
      "email",
      "negative.csv",
      "date,campaign,sent,opens\n2026-01-06,news,100,10\n2026-01-06,promo,100,-3\n",
    );
    expectLineError(result, 3, /\bopens\b/, /negative/i);
    await expectNothingStored("2026-01-06");
  });

  it("invalid JSON in the properties column", async () => {
    const result = await importing(
      "events",
      "bad-properties.csv",
      'timestamp,event,visitor_id,properties\n2026-01-07T10:00:00Z,pageview,v1,"{""plan"":""pro""}"\n2026-01-07T10:01:00Z,pageview,v1,"{plan: pro}"\n',
    );
    expectLineError(result, 3, /\bproperties\b/, /JSON/);
    await expectNothingStored("2026-01-07");
  });

  it("a bad type value", async () => {
    const result = await importing(
      "events",
      "bad-type.csv",
      "timestamp,event,visitor_id,type\n2026-01-08T10:00:00Z,pageview,v1,page\n2026-01-08T10:01:00Z,Signed Up,v1,click\n",
    );
    expectLineError(result, 3, /\btype\b/, /\bpage\b/, /\btrack\b/, /\bidentify\b/);
    await expectNothingStored("2026-01-08");
  });

  it("a malformed JSON Lines line", async () => {
    const result = await importing(
      "events",
      "malformed.jsonl",
      [
        '{"type":"page","anonymousId":"a1","timestamp":"2026-01-09T10:00:00Z","context":{"page":{"url":"https://shop.example/"}}}',
        '{"type":"track","anonymousId":"a1","event":"Signed Up","timestamp":"2026-01-09T10:01:00Z"}',
        '{"type":"track","anonymousId":"a1","event":"Signed Up","timestamp":',
        "",
      ].join("\n"),
    );
    expectLineError(result, 3, /JSON/);
    await expectNothingStored("2026-01-09");
  });

  it("a JSON Lines line that is not an object", async () => {
    const result = await importing(
      "orders",
      "array.jsonl",
      '{"timestamp":"2026-01-10T10:00:00Z","order_id":"F-1","customer_id":"c1","revenue":3}\n["F-2","c2",4]\n',
    );
    expectLineError(result, 2, /object/i);
    await expectNothingStored("2026-01-10");
  });

  it("a file that does not exist", async () => {
    const result = await cli.run(["import", "costs", "no-such-file.csv"]);
    expectUserError(result);
    expect(result.stderr).toContain("no-such-file.csv");
    expect(result.stderr).toMatch(/not exist|not found|cannot be read/i);
  });

  it("an empty file", async () => {
    const result = await importing("costs", "empty.csv", "");
    expectUserError(result);
    expect(result.stderr).toContain("empty.csv");
    expect(result.stderr).toMatch(/empty/i);
  });

  it("an unknown kind names it and lists the kinds", async () => {
    const result = await importing("clicks", "clicks.csv", "date,campaign,spend\n2026-01-11,a,1\n");
    expectUserError(result);
    expect(result.stderr).toContain("clicks");
    for (const kind of ["events", "costs", "email", "social", "orders"])
      expect(result.stderr).toContain(kind);
    await expectNothingStored("2026-01-11");
  });

  it("--map to a column the file lacks names it and lists the file's columns", async () => {
    const result = await importing(
      "costs",
      "map-missing.csv",
      "Day,Campaign name,Amount spent\n2026-01-12,a,1\n",
      "--map",
      "date=Day,campaign=Campaign name,spend=Cost",
    );
    expectUserError(result);
    expect(result.stderr).toContain("Cost");
    expect(result.stderr).toContain("Amount spent");
    await expectNothingStored("2026-01-12");
  });

  it("--map with an unknown target names it and lists the kind's columns", async () => {
    const result = await importing(
      "costs",
      "map-target.csv",
      "date,campaign,Amount spent\n2026-01-13,a,1\n",
      "--map",
      "cost=Amount spent",
    );
    expectUserError(result);
    expect(result.stderr).toContain("cost");
    expect(result.stderr).toMatch(/\bspend\b/);
    await expectNothingStored("2026-01-13");
  });

  it("--map without target=source", async () => {
    const result = await importing(
      "costs",
      "map-syntax.csv",
      "date,campaign,Cost\n2026-01-14,a,1\n",
      "--map",
      "spend",
    );
    expectUserError(result);
    expect(result.stderr).toMatch(/target=source|spend=/);
    await expectNothingStored("2026-01-14");
  });

  it("a bad --date-format token names it", async () => {
    const result = await importing(
      "costs",
      "date-format.csv",
      "date,campaign,spend\n15/01/2026,a,1\n",
      "--date-format",
      "DD/MM/YY",
    );
    expectUserError(result);
    expect(result.stderr).toContain("DD/MM/YY");
    expect(result.stderr).toMatch(/YYYY/);
    await expectNothingStored("2026-01-15");
  });

  it("dates that do not follow the --date-format given", async () => {
    const result = await importing(
      "costs",
      "date-format-mismatch.csv",
      "date,campaign,spend\n16-01-2026,a,1\n2026-01-16,b,1\n",
      "--date-format",
      "DD-MM-YYYY",
    );
    expectLineError(result, 3, /\bdate\b/, /2026-01-16/);
    await expectNothingStored("2026-01-16");
  });

  it("names the FIRST bad line when several are bad, and counts them", async () => {
    const result = await importing(
      "costs",
      "several.csv",
      [
        "date,campaign,spend",
        "2026-01-17,a,1",
        "2026-01-17,b,1",
        "2026-01-17,c,oops", // line 4
        "2026-01-17,d,1",
        "2026-01-32,e,1", // line 6
        "2026-01-17,,1", // line 7
        "",
      ].join("\n"),
    );
    expectLineError(result, 4, /\bspend\b/, /oops/);
    expect(result.stderr).toMatch(/\b3 bad rows\b/);
    expect(result.stderr).toMatch(/--skip-invalid/);
    await expectNothingStored("2026-01-17");
  });
});

describe("sextant import: CSV files that are not well-formed", () => {
  let cli: CliSandbox;
  beforeAll(async () => {
    cli = await CliSandbox.create();
    await cli.ok(["workspace", "create", "shop"]);
  });
  afterAll(async () => {
    await cli.cleanup();
  });

  async function expectNothingStored(day: string): Promise<void> {
    const { totals } = await cli.kpi(["--kpis", "spend", "--from", day, "--to", day]);
    expect(totals.spend).toBe(0);
  }

  it("a row with more fields than the header names its line", async () => {
    const file = await cli.file("wide.csv", "date,campaign,spend\n2026-02-01,a,1,extra\n2026-02-01,b,2\n");
    const result = await cli.run(["import", "costs", file]);
    expectUserError(result);
    expect(linesNamed(result.stderr)[0], result.stderr).toBe(2);
    await expectNothingStored("2026-02-01");
  });

  it("a row with fewer fields than the header names its line, in plain words", async () => {
    const file = await cli.file("short.csv", "date,campaign,spend\n2026-02-02,a,1\n2026-02-02,b\n");
    const result = await cli.run(["import", "costs", file]);
    expectUserError(result);
    expect(linesNamed(result.stderr)[0], result.stderr).toBe(3);
    expect(result.stderr).not.toMatch(/sniff|dialect|Invalid Input Error/i);
    await expectNothingStored("2026-02-02");
  });

  it("a blank line in the middle does not shift the line numbers", async () => {
    const file = await cli.file("blank.csv", "date,campaign,spend\n2026-02-03,a,1\n\n2026-02-03,b,x\n");
    const result = await cli.run(["import", "costs", file]);
    expectUserError(result);
    expect(linesNamed(result.stderr)[0], result.stderr).toBe(4);
    await expectNothingStored("2026-02-03");
  });
});
