import type { FastifyInstance, FastifyRequest } from "fastify";
import { z } from "zod";
import { compareAttribution } from "../../analysis/attribution-comparison.js";
import { adviseBudget } from "../../analysis/budget/advise.js";
import { runCohorts } from "../../analysis/cohorts/run-cohorts.js";
import { runExperiment } from "../../analysis/experiments/run-experiment.js";
import { sampleSize } from "../../analysis/experiments/size.js";
import { funnelDefinition, funnelRange } from "../../analysis/funnels/resolve.js";
import { FUNNEL_GROUP_DIMENSIONS, runFunnel } from "../../analysis/funnels/run-funnel.js";
import { parseOrThrow } from "../../validation.js";
import { workspaceFor } from "../access.js";
import type { ServerContext } from "../context.js";

const number = (fallback: number) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined) return fallback;
      const n = Number(v);
      if (v.trim() === "" || !Number.isFinite(n)) {
        ctx.addIssue({ code: "custom", message: `"${v}" is not a number` });
        return z.NEVER;
      }
      return n;
    });

/** Query parameters of /api/v1/budget: the flags of `sextant budget`. */
export const budgetQuerySchema = z.object({
  workspace: z.string().optional().describe("defaults to the key's workspace"),
  from: z.string().optional().describe("first day, YYYY-MM-DD"),
  to: z.string().optional().describe("last day, YYYY-MM-DD"),
  max_shift: number(20).describe("largest change of a campaign's budget, % of its spend (default 20)"),
  floor: number(10).describe("least budget of a campaign, % of its spend (default 10)"),
  lang: z.enum(["en", "fr"]).optional().describe("language of the reasons (default: the workspace locale)"),
});

/** Query parameters of /api/v1/experiments/size: the flags of `sextant experiment size`. */
export const sizeQuerySchema = z.object({
  baseline: number(Number.NaN).describe("current conversion rate, a proportion such as 0.05"),
  mde: number(Number.NaN).describe(
    "smallest change worth detecting (absolute, or relative with relative=true)",
  ),
  relative: z.enum(["true", "false", "1", "0"]).optional().describe("read mde as a relative change"),
  alpha: number(0.05).describe("significance level (default 0.05)"),
  power: number(0.8).describe("power (default 0.8)"),
});

export const rangeQuerySchema = z.object({
  workspace: z.string().optional().describe("defaults to the key's workspace"),
  from: z.string().optional().describe("first day, YYYY-MM-DD"),
  to: z.string().optional().describe("last day, YYYY-MM-DD"),
});

export const experimentQuerySchema = z.object({
  workspace: z.string().optional().describe("defaults to the key's workspace"),
  conversion: z.string().optional().describe("the conversion event (default: the saved experiment's)"),
  control: z.string().optional().describe("the control variation"),
  split: z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined) return undefined;
      const shares = v.split(",").map((x) => Number(x.trim()));
      if (shares.some((x) => !(x > 0))) {
        ctx.addIssue({ code: "custom", message: `"${v}" must list positive shares, such as 50,50` });
        return z.NEVER;
      }
      return shares;
    })
    .describe("planned shares, control first, e.g. 50,50"),
  from: z.string().optional().describe("first day of the experiment"),
  to: z.string().optional().describe("last day of the experiment"),
  lang: z.enum(["en", "fr"]).optional(),
  metric: z
    .union([z.string(), z.array(z.string())])
    .optional()
    .transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]))
    .describe(
      "a metric per exposed visitor, repeatable: revenue, orders, count:EVENT, sum:EVENT.PROPERTY, conversion:EVENT",
    ),
  cuped: z
    .enum(["true", "false", "1", "0"])
    .optional()
    .describe("CUPED variance reduction (pre-exposure covariate)"),
  lookback: number(14).describe("CUPED's days before each visitor's first exposure (default 14)"),
  sequential: z.enum(["true", "false", "1", "0"]).optional().describe("always-valid intervals and p-values"),
  tuning: number(5000).describe("the sequential test's tuning parameter, total visitors (default 5000)"),
});

/** Query parameters of /api/v1/cohorts: the flags of `sextant cohorts`. */
export const cohortQuerySchema = z.object({
  workspace: z.string().optional().describe("defaults to the key's workspace"),
  by: z.string().describe("first_order_month or first_visit_week"),
  kpi: z.string().describe("retention (percent), revenue or orders"),
  from: z.string().optional().describe("first day a cohort may start (default: the first day with data)"),
  to: z.string().optional().describe("last day counted (default: the last day with data)"),
});

export const funnelQuerySchema = z.object({
  workspace: z.string().optional().describe("defaults to the key's workspace"),
  steps: z.string().optional().describe('comma-separated steps, e.g. "pageview /pricing,Signed Up"'),
  window: z.string().optional().describe("time allowed from step 1 (default 7d)"),
  from: z.string().optional().describe("first day of entries"),
  to: z.string().optional().describe("last day of entries"),
  group_by: z
    .string()
    .optional()
    .describe(
      `break down by each entrant's value at step 1 (adds groups: [{DIM: value, steps}]): ${FUNNEL_GROUP_DIMENSIONS.join(", ")}`,
    ),
});

/** Analysis routes: the same functions and JSON as the CLI. */
export function analysisRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get("/api/v1/budget", async (request) => {
    const q = parseOrThrow(budgetQuerySchema, request.query);
    const workspace = await workspaceFor(ctx, request, q.workspace);
    return adviseBudget(ctx.store, workspace, {
      ...(q.from ? { from: q.from } : {}),
      ...(q.to ? { to: q.to } : {}),
      maxShift: q.max_shift,
      floor: q.floor,
      ...(q.lang ? { lang: q.lang } : {}),
    });
  });

  const funnel = async (request: FastifyRequest, id: string | undefined) => {
    const q = parseOrThrow(funnelQuerySchema, request.query);
    const workspace = await workspaceFor(ctx, request, q.workspace);
    const flags = {
      ...(q.steps ? { steps: q.steps } : {}),
      ...(q.window ? { window: q.window } : {}),
      ...(q.from ? { from: q.from } : {}),
      ...(q.to ? { to: q.to } : {}),
      ...(q.group_by ? { groupBy: q.group_by } : {}),
    };
    return runFunnel(
      ctx.store,
      workspace,
      await funnelDefinition(
        ctx.store,
        workspace.name,
        id,
        id === undefined ? flags : { ...flags, steps: undefined },
      ),
      await funnelRange(ctx.store, workspace, flags),
    );
  };
  app.get("/api/v1/funnel", (request) => funnel(request, undefined));
  app.get("/api/v1/funnels/:id", (request) =>
    funnel(request, parseOrThrow(z.object({ id: z.string().min(1) }), request.params).id),
  );
  app.get("/api/v1/funnels", async (request) => {
    const q = parseOrThrow(rangeQuerySchema, request.query);
    const workspace = await workspaceFor(ctx, request, q.workspace);
    return { funnels: (await ctx.store.listDocuments(workspace.name, "funnel")).map((doc) => doc.body) };
  });

  app.get("/api/v1/attribution", async (request) => {
    const q = parseOrThrow(rangeQuerySchema, request.query);
    const workspace = await workspaceFor(ctx, request, q.workspace);
    return compareAttribution(ctx.store, workspace, {
      ...(q.from ? { from: q.from } : {}),
      ...(q.to ? { to: q.to } : {}),
    });
  });

  app.get("/api/v1/experiments", async (request) => {
    const q = parseOrThrow(rangeQuerySchema, request.query);
    const workspace = await workspaceFor(ctx, request, q.workspace);
    const saved = (await ctx.store.listDocuments(workspace.name, "experiment")).map((doc) => doc.body);
    return { saved, seen: await ctx.store.experimentIds(workspace.name) };
  });

  app.get("/api/v1/experiments/:id", async (request) => {
    const q = parseOrThrow(experimentQuerySchema, request.query);
    const { id } = parseOrThrow(z.object({ id: z.string().min(1) }), request.params);
    const workspace = await workspaceFor(ctx, request, q.workspace);
    return runExperiment(ctx.store, workspace, {
      id,
      ...(q.conversion ? { conversion: q.conversion } : {}),
      ...(q.control ? { control: q.control } : {}),
      ...(q.split ? { split: q.split } : {}),
      ...(q.from ? { from: q.from } : {}),
      ...(q.to ? { to: q.to } : {}),
      ...(q.lang ? { lang: q.lang } : {}),
      ...(q.metric.length ? { metrics: q.metric } : {}),
      ...(q.cuped === "true" || q.cuped === "1" ? { cuped: true, lookbackDays: q.lookback } : {}),
      ...(q.sequential === "true" || q.sequential === "1" ? { sequential: true, tuning: q.tuning } : {}),
    });
  });

  app.get("/api/v1/cohorts", async (request) => {
    const q = parseOrThrow(cohortQuerySchema, request.query);
    const workspace = await workspaceFor(ctx, request, q.workspace);
    return runCohorts(ctx.store, workspace, {
      by: q.by,
      kpi: q.kpi,
      ...(q.from ? { from: q.from } : {}),
      ...(q.to ? { to: q.to } : {}),
    });
  });

  app.get("/api/v1/experiments/size", async (request) => {
    const q = parseOrThrow(sizeQuerySchema, request.query);
    await workspaceFor(ctx, request);
    return sampleSize({
      baseline: q.baseline,
      mde: q.mde,
      relative: q.relative === "true" || q.relative === "1",
      alpha: q.alpha,
      power: q.power,
    });
  });
}
