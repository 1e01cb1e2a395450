import { useCtx } from "../context";
import { Breakdown, Totals } from "./breakdown";

const PER_GROUP = ["visitors", "sessions", "bounce_rate", "avg_visit_duration", "conversion_rate"];

export function Traffic() {
  const { t } = useCtx();
  return (
    <>
      <Totals
        kpis={["visitors", "sessions", "pageviews", "pages_per_session", "bounce_rate", "avg_visit_duration"]}
      />
      <Breakdown dimension="channel" kpis={PER_GROUP} caption={t("channels")} />
      <Breakdown dimension="utm_source" kpis={PER_GROUP} caption={t("sources")} />
      <Breakdown dimension="landing_page" kpis={PER_GROUP} caption={t("landing_pages")} />
      <Breakdown dimension="device" kpis={PER_GROUP} caption={t("devices")} />
      <Breakdown dimension="country" kpis={PER_GROUP} caption={t("countries")} />
    </>
  );
}
