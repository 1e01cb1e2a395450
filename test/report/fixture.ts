import type { Workspace } from "../../src/model/workspace.js";
import type { Kit } from "../kpi/fixture.js";

export const FORMULA = '=HYPERLINK("http://x")';
export const TAG = "<img src=x onerror=alert(1)>";
/** Campaign keys are lower-cased (docs/concepts.md#campaign-keys-and-channels). */
export const FORMULA_KEY = FORMULA.toLowerCase();
export const TAG_KEY = TAG;

const q = (s: string) => `"${s.replace(/"/g, '""')}"`;

/**
 * A small shop: four campaigns in April 2026 (two named like an attack), some in March 2026 and
 * April 2025, orders with their campaign, and visits with UTM tags.
 */
export async function loadShop(kit: Kit, settings: Record<string, unknown> = {}): Promise<Workspace> {
  const ws = await kit.workspace("shop", settings);
  await kit.load(
    ws,
    "costs",
    `date,campaign,spend,channel,impressions,clicks
    2026-04-03,spring_sale,1200.5,paid,50000,1500
    2026-04-04,spring_sale,800.25,paid,30000,900
    2026-04-10,spring_sale,400,paid,10000,200
    2026-04-05,summer,300,paid,40000,300
    2026-04-06,summer,250.75,paid,20000,150
    2026-04-07,${q(FORMULA)},99.99,paid,5000,60
    2026-04-08,${q(TAG)},10.5,paid,1000,5
    2026-03-10,spring_sale,500,paid,20000,400
    2026-03-12,summer,123.45,paid,9000,80
    2025-04-05,spring_sale,700,paid,25000,500
    2025-04-06,summer,200,paid,15000,120`,
  );
  await kit.load(
    ws,
    "orders",
    `timestamp,order_id,customer_id,revenue,campaign
    2026-04-03T10:00:00Z,o1,c1,2500.4,spring_sale
    2026-04-04T11:00:00Z,o2,c2,1800,spring_sale
    2026-04-09T12:00:00Z,o3,c3,99.9,spring_sale
    2026-04-06T09:00:00Z,o4,c4,120,summer
    2026-04-07T09:00:00Z,o5,c5,45.5,${q(FORMULA)}
    2026-03-11T09:00:00Z,o6,c6,900,spring_sale
    2025-04-05T09:00:00Z,o7,c7,1000,spring_sale`,
  );
  await kit.load(
    ws,
    "events",
    `timestamp,event,visitor_id,url,utm_campaign,utm_medium
    2026-04-03T09:00:00Z,pageview,v1,https://shop.example.com/,spring_sale,cpc
    2026-04-03T09:05:00Z,Signed Up,v1,https://shop.example.com/,spring_sale,cpc
    2026-04-04T09:00:00Z,pageview,v2,https://shop.example.com/,spring_sale,cpc
    2026-04-05T09:00:00Z,pageview,v3,https://shop.example.com/,summer,cpc
    2026-04-06T09:00:00Z,pageview,v4,https://shop.example.com/,summer,cpc
    2026-04-06T09:01:00Z,Signed Up,v4,https://shop.example.com/,summer,cpc
    2026-04-07T09:00:00Z,pageview,v5,https://shop.example.com/,${q(FORMULA)},cpc
    2026-04-12T09:00:00Z,pageview,v6,https://shop.example.com/,,`,
  );
  return ws;
}
