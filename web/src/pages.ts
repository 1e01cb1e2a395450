import type { FunctionComponent } from "preact";
import type { Key } from "./i18n";
import { Alerts } from "./pages/alerts";
import { Campaigns } from "./pages/campaigns";
import { Cohorts } from "./pages/cohorts";
import { EmailSocial } from "./pages/email";
import { Experiments } from "./pages/experiments";
import { Funnels } from "./pages/funnels";
import { Goals } from "./pages/goals";
import { Overview } from "./pages/overview";
import { Reports } from "./pages/reports";
import { Settings } from "./pages/settings";
import { Traffic } from "./pages/traffic";

/** The pages (src/server/dashboard/routes.ts serves index.html at each path). */
export const PAGES: { path: string; key: Key; component: FunctionComponent }[] = [
  { path: "/", key: "overview", component: Overview },
  { path: "/goals", key: "goals", component: Goals },
  { path: "/campaigns", key: "campaigns", component: Campaigns },
  { path: "/traffic", key: "traffic", component: Traffic },
  { path: "/email", key: "email", component: EmailSocial },
  { path: "/funnels", key: "funnels", component: Funnels },
  { path: "/experiments", key: "experiments", component: Experiments },
  { path: "/cohorts", key: "cohorts", component: Cohorts },
  { path: "/alerts", key: "alerts", component: Alerts },
  { path: "/reports", key: "reports", component: Reports },
  { path: "/settings", key: "settings", component: Settings },
];
